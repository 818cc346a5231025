package io.sluice.inference.extract;

import io.sluice.inference.BatchLimits;
import io.sluice.inference.SessionSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link WordEncoder} turns words into states.
 *
 * @param layers which hidden layers to average into a sub-token's state: 0 is the embedding
 *     layer, {@code k} the output of the k-th transformer layer; {@link #LAST} (-1) is the
 *     model's declared output ({@code last_hidden_state})
 * @param pooling how a word's sub-token states become the word's state
 * @param session ONNX Runtime thread settings
 * @param batching how a list of texts is cut into model calls
 * @param staticQuantization use the manifest's calibrated activation ranges (batch-invariant
 *     states) where the bundle has them
 */
public record WordEncoderSettings(List<Integer> layers, SubwordPooling pooling,
    SessionSettings session, BatchLimits batching, boolean staticQuantization) {

  /** The model's declared output, the last layer. */
  public static final int LAST = -1;

  /**
   * Layers 2 to 5 of all-MiniLM-L6-v2's six, averaged, mean over sub-tokens: the best of the
   * alternatives measured on MaintIE's dev split (docs/BENCHMARKS.md, Extraction).
   */
  public static final WordEncoderSettings DEFAULT = new WordEncoderSettings(List.of(2, 3, 4, 5),
      SubwordPooling.MEAN, SessionSettings.threads(2), BatchLimits.DEFAULT, true);

  public WordEncoderSettings {
    Objects.requireNonNull(layers, "layers");
    Objects.requireNonNull(pooling, "pooling");
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(batching, "batching");
    layers = List.copyOf(layers);
    List<String> problems = new ArrayList<>();
    if (layers.isEmpty()) {
      problems.add("layers: expected at least one layer");
    }
    for (int layer : layers) {
      if (layer < LAST) {
        problems.add("layers: " + layer + " is not a layer (0 = embeddings, k = k-th layer, "
            + LAST + " = last)");
      }
    }
    if (layers.stream().distinct().count() != layers.size()) {
      problems.add("layers: " + layers + " lists a layer twice");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid word encoder settings: "
          + String.join("; ", problems));
    }
  }

  public WordEncoderSettings withLayers(List<Integer> newLayers) {
    return new WordEncoderSettings(newLayers, pooling, session, batching, staticQuantization);
  }

  public WordEncoderSettings withPooling(SubwordPooling newPooling) {
    return new WordEncoderSettings(layers, newPooling, session, batching, staticQuantization);
  }

  public WordEncoderSettings withSession(SessionSettings newSession) {
    return new WordEncoderSettings(layers, pooling, newSession, batching, staticQuantization);
  }

  public WordEncoderSettings withBatching(BatchLimits newBatching) {
    return new WordEncoderSettings(layers, pooling, session, newBatching, staticQuantization);
  }
}
