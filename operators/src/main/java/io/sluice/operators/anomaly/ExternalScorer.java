package io.sluice.operators.anomaly;

/**
 * A user's own model as one more channel of the detector, for example an ONNX forecaster or
 * autoencoder run through {@code io.sluice.inference.OnnxSession}. It returns a raw surprise
 * (0 = expected, larger = stranger, any scale); the detector learns what is usual for the stream
 * and turns it into a score, so the model needs no calibration. The scorer must be a pure
 * function of its arguments: detector state is saved and restored without it.
 */
@FunctionalInterface
public interface ExternalScorer {

  /**
   * @param timestampMillis event time of the reading
   * @param value the reading
   * @param recent the readings before it, oldest first (at most the detector's window)
   * @return a raw surprise, finite and non-negative
   */
  double surprise(long timestampMillis, double value, double[] recent);
}
