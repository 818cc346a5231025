package io.sluice.operators.anomaly.internal;

/**
 * Turns a channel's raw surprise (any non-negative number, on the channel's own scale) into a
 * score in [0, 1] by asking how unusual it is for this stream: the short-term average of the raw
 * values is standardised against their long-term mean and spread (exponentially weighted, so the
 * state is three numbers and a short ring), and the score is the Gaussian upper-tail probability
 * Q(z) on a log scale: {@code score = -log10 Q(z) / 10}, so 0.5 means "one in 100,000". The idea
 * is the anomaly likelihood of Ahmad et al. (2017, "Unsupervised real-time anomaly detection for
 * streaming data", Neurocomputing 262), reworked for exponentially weighted statistics. A stream
 * that is always noisy learns that large raw values are ordinary; a quiet one flags small jumps.
 */
final class Surprise {

  private static final double LOG10_FLOOR = 10.0;

  private final double alpha;
  private final double[] recent;
  private long count;
  private int next;
  private double mean;
  private double variance;

  public Surprise(int longTermReadings, int shortTermReadings) {
    this.alpha = 1.0 / longTermReadings;
    this.recent = new double[shortTermReadings];
  }

  public long count() {
    return count;
  }

  /**
   * Scores {@code raw} against the statistics seen so far, then learns it. Returns 0 until
   * {@code minCount} values have been seen.
   */
  public double update(double raw, long minCount) {
    recent[next] = raw;
    next = (next + 1) % recent.length;
    double shortTerm = 0;
    int filled = (int) Math.min(count + 1, recent.length);
    for (int i = 0; i < filled; i++) {
      shortTerm += recent[(next - 1 - i + recent.length * 2) % recent.length];
    }
    shortTerm /= filled;
    double score = 0;
    if (count >= minCount) {
      double spread = Math.sqrt(variance) + 1e-3 * Math.abs(mean) + 1e-12;
      score = Math.min(1.0, -Math.log10(upperTail((shortTerm - mean) / spread)) / LOG10_FLOOR);
    }
    double a = Math.max(alpha, 1.0 / (count + 1));
    double delta = raw - mean;
    mean += a * delta;
    variance = (1 - a) * (variance + a * delta * delta);
    count++;
    return score;
  }

  /** Q(z) = P(Z > z) for a standard normal Z, accurate in the far tail (no underflow to 0). */
  static double upperTail(double z) {
    if (z < 0) {
      return 1 - upperTail(-z);
    }
    if (z > 8) {
      // Asymptotic series of the Mills ratio: Q(z) ~ phi(z)/z * (1 - 1/z^2 + 3/z^4).
      double z2 = z * z;
      double value = Math.exp(-0.5 * z2) / (z * Math.sqrt(2 * Math.PI)) * (1 - 1 / z2 + 3 / (z2 * z2));
      return Math.max(value, Double.MIN_NORMAL);
    }
    return 0.5 * erfc(z / Math.sqrt(2));
  }

  /**
   * Complementary error function, Chebyshev fit with fractional error below 1.2e-7
   * (W. H. Press et al., Numerical Recipes, 3rd ed., section 6.2, {@code erfcc}).
   */
  static double erfc(double x) {
    double z = Math.abs(x);
    double t = 1 / (1 + 0.5 * z);
    double poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
        + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
        + t * (-0.82215223 + t * 0.17087277))))))));
    double value = t * Math.exp(poly);
    return x >= 0 ? value : 2 - value;
  }

  void write(StateOutput out) {
    out.writeLong(count);
    out.writeInt(next);
    out.writeDouble(mean);
    out.writeDouble(variance);
    for (double value : recent) {
      out.writeDouble(value);
    }
  }

  void read(StateInput in) {
    count = in.readLong("surprise count");
    next = in.readInt("surprise ring position");
    if (next < 0 || next >= recent.length) {
      throw new IllegalStateException("surprise ring position " + next + " outside 0.."
          + (recent.length - 1));
    }
    mean = in.readDouble("surprise mean");
    variance = in.readDouble("surprise variance");
    for (int i = 0; i < recent.length; i++) {
      recent[i] = in.readDouble("surprise recent value");
    }
  }
}
