package io.sluice.inference;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The manifest of a model bundle ({@code bundle.json}): what the model is, how to feed it, and the
 * SHA-256 of every file, so a bundle that was altered is refused before it runs.
 *
 * <p>Read and written by {@link ModelBundle}; unknown keys are rejected. A folder bundle names its
 * files relative to the folder; a classpath bundle names classpath resources.
 *
 * @param format always {@value #FORMAT}
 * @param name the bundle's name, e.g. {@code all-minilm-l6-v2-q}
 * @param version the bundle's version; results and caches are keyed by name and version
 * @param task what the model does
 * @param description one line for people
 * @param source where the files come from (model card, artifact)
 * @param license the licence of the model files
 * @param files every file by role ({@code model}, {@code tokenizer}, more if a task needs them)
 * @param pooling for encoders: how token vectors become one vector
 * @param normalize for encoders: whether sentence vectors are scaled to unit length
 * @param maxTokens inputs are truncated at this many tokens, special tokens included
 * @param dimension for encoders: the length of a sentence vector
 * @param textPrefix prepended to every text before tokenization (e5 wants {@code "query: "})
 * @param tensors the names of the model's input and output tensors
 * @param quantization how activations are quantized; {@code null} for a model that has no
 *     dynamic quantizers or runs them as they are
 * @param labels for classification tasks: the label of each output index
 * @param signature optional Ed25519 signature over the canonical manifest without this field
 *     ({@link ModelBundle#sign}, {@link ModelBundle#verify})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"format", "name", "version", "task", "description", "source", "license",
    "files", "pooling", "normalize", "maxTokens", "dimension", "textPrefix", "tensors",
    "quantization", "labels", "signature"})
public record BundleManifest(
    String format,
    String name,
    String version,
    ModelTask task,
    String description,
    String source,
    String license,
    Map<String, FileEntry> files,
    Pooling pooling,
    Boolean normalize,
    Integer maxTokens,
    Integer dimension,
    String textPrefix,
    Tensors tensors,
    Quantization quantization,
    List<String> labels,
    Signature signature) {

  public static final String FORMAT = "sluice-bundle/1";
  public static final String MODEL = "model";
  public static final String TOKENIZER = "tokenizer";
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  /** One file of the bundle and the SHA-256 (lower-case hex) its bytes must have. */
  public record FileEntry(String path, String sha256) {}

  /**
   * Tensor names. {@code tokenTypeIds} is {@code null} for models without that input.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Tensors(String inputIds, String attentionMask, String tokenTypeIds,
      String output) {

    /** The names BERT-style encoders exported by Optimum use. */
    public static Tensors bert() {
      return new Tensors("input_ids", "attention_mask", "token_type_ids", "last_hidden_state");
    }
  }

  /**
   * How activations are quantized at run time.
   *
   * @param activations {@code dynamic}: as the model file says (one scale per tensor per call, so
   *     results depend on batch-mates); {@code static}: fixed ranges from {@code ranges}, so a
   *     text's result does not depend on its batch
   * @param calibration how the ranges were measured (texts, count, seed)
   * @param ranges the range of each quantized tensor, keyed by the quantizer's input name
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Quantization(String activations, String calibration,
      Map<String, ActivationRange> ranges) {

    public static final String DYNAMIC = "dynamic";
    public static final String STATIC = "static";

    @JsonIgnore
    public boolean isStatic() {
      return STATIC.equals(activations);
    }
  }

  /**
   * An Ed25519 signature of the bundle.
   *
   * @param algorithm {@code Ed25519}
   * @param keyId which key signed ({@link BundleKeys#keyId}), so a gateway can hold several
   *     trusted keys
   * @param value base64 signature over the canonical manifest: the manifest without
   *     {@code signature}, as JSON with sorted keys and no whitespace, which holds every file's
   *     SHA-256
   */
  public record Signature(String algorithm, String keyId, String value) {}

  /** Whether sentence vectors are normalized (encoders default to true). */
  public boolean normalizeOrDefault() {
    return normalize == null || normalize;
  }

  public String textPrefixOrEmpty() {
    return textPrefix == null ? "" : textPrefix;
  }

  public Tensors tensorsOrDefault() {
    return tensors == null ? Tensors.bert() : tensors;
  }

  /** {@code name@version}, the identity results and caches are keyed by. */
  public String id() {
    return name + "@" + version;
  }

  /** The manifest with another quantization section (for example after calibration). */
  public BundleManifest withQuantization(Quantization newQuantization) {
    return new BundleManifest(format, name, version, task, description, source, license, files,
        pooling, normalize, maxTokens, dimension, textPrefix, tensors, newQuantization, labels,
        signature);
  }

  /** The manifest with another signature ({@code null} for none). */
  public BundleManifest withSignature(Signature newSignature) {
    return new BundleManifest(format, name, version, task, description, source, license, files,
        pooling, normalize, maxTokens, dimension, textPrefix, tensors, quantization, labels,
        newSignature);
  }

  /**
   * Every problem of this manifest at once, each naming the field and what is expected.
   *
   * @param where the manifest's location, for the messages
   */
  public List<String> problems(String where) {
    List<String> problems = new ArrayList<>();
    if (!FORMAT.equals(format)) {
      problems.add("format: expected \"" + FORMAT + "\", got " + quote(format));
    }
    if (name == null || !NAME.matcher(name).matches()) {
      problems.add("name: expected letters, digits, '.', '_' or '-', got " + quote(name));
    }
    if (version == null || version.isBlank()) {
      problems.add("version: missing");
    }
    if (task == null) {
      problems.add("task: missing (encoder, sequence-classification, token-classification, "
          + "causal-lm)");
    }
    if (files == null || !files.containsKey(MODEL)) {
      problems.add("files: expected a \"" + MODEL + "\" entry");
    }
    if (files != null) {
      files.forEach((role, entry) -> {
        if (entry == null || entry.path() == null || entry.path().isBlank()) {
          problems.add("files." + role + ".path: missing");
        }
        if (entry == null || entry.sha256() == null
            || !SHA256.matcher(entry.sha256().toLowerCase(Locale.ROOT)).matches()) {
          problems.add("files." + role + ".sha256: expected 64 hex digits, got "
              + quote(entry == null ? null : entry.sha256()));
        }
      });
    }
    if (task == ModelTask.ENCODER) {
      if (files != null && !files.containsKey(TOKENIZER)) {
        problems.add("files: an encoder needs a \"" + TOKENIZER + "\" entry");
      }
      if (pooling == null) {
        problems.add("pooling: an encoder needs one of mean, cls");
      }
      if (dimension == null || dimension < 1) {
        problems.add("dimension: an encoder needs a positive vector length, got " + dimension);
      }
    }
    if ((task == ModelTask.SEQUENCE_CLASSIFICATION || task == ModelTask.TOKEN_CLASSIFICATION)
        && (labels == null || labels.isEmpty())) {
      problems.add("labels: a " + task.id() + " model needs its labels");
    }
    if (maxTokens != null && maxTokens < 2) {
      problems.add("maxTokens: expected at least 2, got " + maxTokens);
    }
    if (quantization != null) {
      String mode = quantization.activations();
      if (!Quantization.DYNAMIC.equals(mode) && !Quantization.STATIC.equals(mode)) {
        problems.add("quantization.activations: expected dynamic or static, got " + quote(mode));
      }
      if (quantization.isStatic()
          && (quantization.ranges() == null || quantization.ranges().isEmpty())) {
        problems.add("quantization.ranges: static quantization needs the range of every "
            + "quantized tensor");
      }
    }
    if (signature != null) {
      if (!"Ed25519".equals(signature.algorithm())) {
        problems.add("signature.algorithm: expected Ed25519, got "
            + quote(signature.algorithm()));
      }
      if (signature.keyId() == null || signature.keyId().isBlank()) {
        problems.add("signature.keyId: missing");
      }
      if (signature.value() == null || signature.value().isBlank()) {
        problems.add("signature.value: missing");
      }
    }
    return problems.stream().map(p -> where + ": " + p).toList();
  }

  private static String quote(String value) {
    return value == null ? "nothing" : "\"" + value + "\"";
  }
}
