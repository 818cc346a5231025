package io.sluice.inference.extract;

import io.sluice.inference.BatchLimits;
import io.sluice.inference.SessionSettings;
import java.util.Objects;

/**
 * How a {@link TokenClassifier} runs.
 *
 * @param pooling how a word's tag probabilities come from its sub-tokens': {@code FIRST} (the
 *     first sub-token's, what Hugging Face token classifiers are trained on) or {@code MEAN}
 * @param session ONNX Runtime thread settings
 * @param batching how a list of texts is cut into model calls
 */
public record TokenClassifierSettings(SubwordPooling pooling, SessionSettings session,
    BatchLimits batching) {

  /** First sub-token, two intra-op threads, the default batch limits. */
  public static final TokenClassifierSettings DEFAULT = new TokenClassifierSettings(
      SubwordPooling.FIRST, SessionSettings.threads(2), BatchLimits.DEFAULT);

  public TokenClassifierSettings {
    Objects.requireNonNull(pooling, "pooling");
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(batching, "batching");
  }

  public TokenClassifierSettings withPooling(SubwordPooling newPooling) {
    return new TokenClassifierSettings(newPooling, session, batching);
  }

  public TokenClassifierSettings withSession(SessionSettings newSession) {
    return new TokenClassifierSettings(pooling, newSession, batching);
  }
}
