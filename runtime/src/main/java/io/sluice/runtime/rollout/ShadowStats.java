package io.sluice.runtime.rollout;

/**
 * What shadowing measured.
 *
 * @param records records both models saw
 * @param batches batches both were given
 * @param failedBatches batches on which the candidate failed
 * @param agreement share of records with the same label
 * @param servingP95Millis p95 of the serving model's time per batch
 * @param candidateP95Millis p95 of the candidate's time per batch
 * @param confidenceDrift mean candidate confidence minus mean serving confidence
 */
public record ShadowStats(long records, long batches, long failedBatches, double agreement,
    double servingP95Millis, double candidateP95Millis, double confidenceDrift) {

  public static final ShadowStats EMPTY = new ShadowStats(0, 0, 0, 1, 0, 0, 0);

  public double latencyRatio() {
    return servingP95Millis <= 0 ? 1 : candidateP95Millis / servingP95Millis;
  }

  public double errorRate() {
    return batches == 0 ? 0 : (double) failedBatches / batches;
  }
}
