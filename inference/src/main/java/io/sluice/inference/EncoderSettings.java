package io.sluice.inference;

import java.util.Objects;

/**
 * How a {@link TextEncoder} runs its model.
 *
 * @param sessions how many ONNX Runtime sessions serve calls in parallel (each holds the model)
 * @param session the thread settings of each session
 * @param batching how {@link TextEncoder#embed} cuts a list of texts into model calls
 * @param staticQuantization use the manifest's fixed activation ranges where it has them, so a
 *     text's vector does not depend on its batch-mates; {@code false} runs the model's dynamic
 *     quantizers as they are (faster to set up, but results move with the batch)
 */
public record EncoderSettings(int sessions, SessionSettings session, BatchLimits batching,
    boolean staticQuantization) {

  /**
   * One session with two intra-op threads, no spinning. Measured side by side on 2 shared cores
   * (docs/BENCHMARKS.md, Inference): on short texts (CLINC150, 11 tokens) it batched 1-4% faster
   * than two sessions with one thread each, on 20-token maintenance notes 15% slower; it answers
   * a single text faster and holds the model once, so it is the default.
   */
  public static final EncoderSettings DEFAULT =
      new EncoderSettings(1, SessionSettings.threads(2), BatchLimits.DEFAULT, true);

  public EncoderSettings {
    if (sessions < 1) {
      throw new IllegalArgumentException("sessions must be at least 1, got " + sessions);
    }
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(batching, "batching");
  }

  public EncoderSettings withSessions(int newSessions, SessionSettings newSession) {
    return new EncoderSettings(newSessions, newSession, batching, staticQuantization);
  }

  public EncoderSettings withBatching(BatchLimits newBatching) {
    return new EncoderSettings(sessions, session, newBatching, staticQuantization);
  }

  public EncoderSettings withStaticQuantization(boolean enabled) {
    return new EncoderSettings(sessions, session, batching, enabled);
  }
}
