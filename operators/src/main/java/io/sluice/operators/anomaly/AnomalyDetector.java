package io.sluice.operators.anomaly;

import io.sluice.operators.anomaly.internal.DetectorEngine;
import java.util.Objects;

/**
 * A streaming anomaly detector for one metric of one device: feed it readings in event-time
 * order, get a score in [0, 1] and a flag for each. It never looks ahead and never reads a
 * clock; time comes from the readings' timestamps. Not thread-safe: one detector per stream.
 * Save and restore it with {@link DetectorCodec}. How it works: docs/anomaly.md.
 */
public final class AnomalyDetector {

  private final DetectorEngine engine;

  AnomalyDetector(DetectorEngine engine) {
    this.engine = engine;
  }

  /** A fresh detector that has seen nothing yet. */
  public static AnomalyDetector create(DetectorSettings settings) {
    return create(settings, null);
  }

  /** A fresh detector with a user model as one more channel ({@code scorer} may be null). */
  public static AnomalyDetector create(DetectorSettings settings, ExternalScorer scorer) {
    return new AnomalyDetector(new DetectorEngine(Objects.requireNonNull(settings, "settings"), scorer));
  }

  /** Scores {@code value} observed at {@code timestampMillis} (event time), then learns it. */
  public AnomalyScore score(long timestampMillis, double value) {
    double score = engine.step(timestampMillis, value);
    return new AnomalyScore(score, score >= engine.settings().threshold());
  }

  public DetectorSettings settings() {
    return engine.settings();
  }

  /** How many finite readings this detector has learned from. */
  public long readings() {
    return engine.readings();
  }

  DetectorEngine engine() {
    return engine;
  }
}
