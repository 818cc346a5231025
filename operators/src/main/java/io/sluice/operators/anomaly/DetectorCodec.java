package io.sluice.operators.anomaly;

import io.sluice.operators.anomaly.internal.DetectorEngine;
import io.sluice.operators.anomaly.internal.StateInput;
import io.sluice.operators.anomaly.internal.StateOutput;
import java.util.Objects;

/**
 * Saves a detector's state to bytes and restores it, exactly: a restored detector scores the
 * rest of a stream as the original would have. The bytes start with a magic number, a format
 * version and a fingerprint of the settings, so state written under other settings is refused
 * (see {@link #compatible}) instead of being misread. The threshold is not part of the state and
 * may change between save and restore.
 */
public final class DetectorCodec {

  private final DetectorSettings settings;
  private final ExternalScorer scorer;

  public DetectorCodec(DetectorSettings settings) {
    this(settings, null);
  }

  public DetectorCodec(DetectorSettings settings, ExternalScorer scorer) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.scorer = scorer;
  }

  public byte[] encode(AnomalyDetector detector) {
    StateOutput out = new StateOutput();
    detector.engine().write(out);
    return out.toByteArray();
  }

  /**
   * Restores a detector from {@link #encode} output.
   *
   * @throws IllegalArgumentException when the bytes are not detector state, are truncated, or were
   *     written under settings of another shape; the message says which
   */
  public AnomalyDetector decode(byte[] state) {
    Objects.requireNonNull(state, "state");
    DetectorEngine engine = new DetectorEngine(settings, scorer);
    try {
      engine.read(new StateInput(state));
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException("Cannot restore anomaly detector from " + state.length
          + " bytes: " + e.getMessage(), e);
    }
    return new AnomalyDetector(engine);
  }

  /** Whether {@code state} was written under settings of the same shape as this codec's. */
  public boolean compatible(byte[] state) {
    return DetectorEngine.compatible(state, settings);
  }
}
