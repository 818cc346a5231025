package io.sluice.operators.anomaly;

/**
 * The detector's verdict on one reading.
 *
 * @param score how anomalous, in [0, 1]; 0.5 is roughly a one-in-100,000 surprise for this stream
 * @param anomaly whether {@code score} reached the detector's threshold
 */
public record AnomalyScore(double score, boolean anomaly) {

  public AnomalyScore {
    if (!(score >= 0 && score <= 1)) {
      throw new IllegalArgumentException("anomaly score must be in [0, 1], got " + score);
    }
  }
}
