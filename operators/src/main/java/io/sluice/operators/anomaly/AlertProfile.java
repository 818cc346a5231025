package io.sluice.operators.anomaly;

/**
 * Named detector thresholds, after the three NAB application profiles: which mistake costs more.
 * Each threshold is the one that scored best for that profile on the NAB files with the default
 * settings (docs/BENCHMARKS.md, "Sensor anomaly detection").
 */
public enum AlertProfile {
  /** Misses and false alarms weighed as NAB's standard profile (a false alarm = 0.11 of a miss). */
  STANDARD(0.35),
  /** False alarms cost twice as much (NAB reward-low-FP): flag less. */
  REWARD_LOW_FP(0.35),
  /** Misses cost twice as much (NAB reward-low-FN): flag more. */
  REWARD_LOW_FN(0.35);

  private final double threshold;

  AlertProfile(double threshold) {
    this.threshold = threshold;
  }

  public double threshold() {
    return threshold;
  }
}
