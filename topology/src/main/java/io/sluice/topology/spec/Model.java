package io.sluice.topology.spec;

import java.util.List;
import java.util.Optional;

/**
 * A model declared in a topology file.
 *
 * @param name how steps refer to it
 * @param bundle {@code classpath:<name>} or a folder path (relative to the topology file); the
 *     bundle's manifest sets the longest input (longer inputs are truncated and counted)
 * @param threads ONNX Runtime intra-op threads
 * @param digest the bundle digest ({@code sha256:...}) the bundle must have, if pinned
 * @param trustedKeys public keys (PEM file paths relative to the topology file, or inline PEM)
 *     of which one must have signed the bundle
 * @param allowUnsigned development only: accept an unsigned folder bundle
 * @param rollout the bounds a new version of this model must keep while it shadows the serving
 *     one, else it is rolled back
 * @param file for a decoder export folder: the ONNX file to run ({@code model.onnx}, or
 *     {@code model_quantized.onnx} for int8); empty for the default
 * @param openai for {@code kind: openai}: the API the model is behind; {@code bundle} is then
 *     {@code openai:<model id>}, a reference only
 */
public record Model(String name, String bundle, int threads, Optional<String> digest,
    List<String> trustedKeys, boolean allowUnsigned, Rollout rollout, Optional<String> file,
    Optional<OpenAiModel> openai) {

  public Model {
    trustedKeys = List.copyOf(trustedKeys);
  }

  /** A local model (ONNX bundle). */
  public Model(String name, String bundle, int threads, Optional<String> digest,
      List<String> trustedKeys, boolean allowUnsigned, Rollout rollout, Optional<String> file) {
    this(name, bundle, threads, digest, trustedKeys, allowUnsigned, rollout, file,
        Optional.empty());
  }

  /** A model behind an OpenAI-compatible API. */
  public static Model openAi(String name, OpenAiModel api) {
    return new Model(name, "openai:" + api.model(), 1, Optional.empty(), List.of(), false,
        Rollout.DEFAULT, Optional.empty(), Optional.of(api));
  }

  /** A model with the default ONNX file. */
  public Model(String name, String bundle, int threads, Optional<String> digest,
      List<String> trustedKeys, boolean allowUnsigned, Rollout rollout) {
    this(name, bundle, threads, digest, trustedKeys, allowUnsigned, rollout, Optional.empty());
  }

  /** A model with the default rollout bounds. */
  public Model(String name, String bundle, int threads, Optional<String> digest,
      List<String> trustedKeys, boolean allowUnsigned) {
    this(name, bundle, threads, digest, trustedKeys, allowUnsigned, Rollout.DEFAULT);
  }

  /** This model under another name. */
  public Model named(String newName) {
    return new Model(newName, bundle, threads, digest, trustedKeys, allowUnsigned, rollout, file,
        openai);
  }

  /**
   * When a candidate version is promoted or rolled back, after it has shadowed the serving model
   * on {@code shadowRecords} live records.
   *
   * @param shadowRecords records the candidate must see before a decision
   * @param maxLatencyRatio the candidate's p95 time per batch may be at most this multiple of the
   *     serving model's, on the same batches
   * @param maxErrorRate share of shadow batches the candidate may fail
   * @param minAgreement share of records on which both must give the same label
   * @param maxConfidenceDrift largest allowed difference of mean confidence
   */
  public record Rollout(int shadowRecords, double maxLatencyRatio, double maxErrorRate,
      double minAgreement, double maxConfidenceDrift) {

    /** 500 records; at most 1.5x slower at p95, 1% failed batches, 80% agreement, 0.15 drift. */
    public static final Rollout DEFAULT = new Rollout(500, 1.5, 0.01, 0.8, 0.15);
  }
}
