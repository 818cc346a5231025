package io.sluice.inference.internal.heads;

import java.util.Arrays;

/**
 * Turns two signals of "unlike anything taught" into one novelty score and a threshold, both
 * derived from held-aside in-scope examples (never hard-coded):
 *
 * <ul>
 *   <li>energy, {@code -log sum exp(logits)}: high when no label scores well;
 *   <li>distance to the nearest known examples ({@link NeighbourBank}).
 * </ul>
 *
 * <p>Each is standardized with its mean and spread on the in-scope calibration examples and they
 * are mixed with weight {@code alpha} on energy. Where out-of-scope examples are known, alpha is
 * the grid value that flags most of them at the threshold; otherwise 0.5. The score reported is
 * the share of in-scope calibration examples less novel than the text (0 = typical, 1 = beyond
 * all of them), and a text is novel when its mixed score exceeds the {@code inScopeKept} quantile
 * of the in-scope examples' scores (so that share of known texts is not flagged).
 */
public final class NoveltyScorer {

  private final double alpha;
  private final double energyMean;
  private final double energySpread;
  private final double distanceMean;
  private final double distanceSpread;
  private final double[] reference;
  private final double threshold;

  public NoveltyScorer(double alpha, double energyMean, double energySpread, double distanceMean,
      double distanceSpread, double[] reference, double threshold) {
    this.alpha = alpha;
    this.energyMean = energyMean;
    this.energySpread = energySpread;
    this.distanceMean = distanceMean;
    this.distanceSpread = distanceSpread;
    this.reference = reference;
    this.threshold = threshold;
  }

  /**
   * Fits on in-scope calibration signals and, when given (may be empty), out-of-scope ones.
   *
   * @param inScopeKept share of in-scope texts that must stay un-flagged, in (0, 1]
   */
  public static NoveltyScorer fit(double[] energy, double[] distance, double[] oosEnergy,
      double[] oosDistance, double inScopeKept) {
    if (energy.length == 0) {
      throw new IllegalArgumentException("Novelty needs at least one in-scope example");
    }
    double em = mean(energy);
    double es = spread(energy, em);
    double dm = mean(distance);
    double ds = spread(distance, dm);
    double bestAlpha = 0.5;
    if (oosEnergy.length > 0) {
      int bestFlagged = -1;
      for (int step = 0; step <= 10; step++) {
        double alpha = step / 10.0;
        double[] scores = mix(alpha, energy, distance, em, es, dm, ds);
        double t = quantile(sorted(scores), inScopeKept);
        double[] oos = mix(alpha, oosEnergy, oosDistance, em, es, dm, ds);
        int flagged = 0;
        for (double s : oos) {
          flagged += s > t ? 1 : 0;
        }
        boolean closerToHalf = Math.abs(alpha - 0.5) < Math.abs(bestAlpha - 0.5);
        if (flagged > bestFlagged || (flagged == bestFlagged && closerToHalf)) {
          bestFlagged = flagged;
          bestAlpha = alpha;
        }
      }
    }
    double[] reference = sorted(mix(bestAlpha, energy, distance, em, es, dm, ds));
    return new NoveltyScorer(bestAlpha, em, es, dm, ds, reference,
        quantile(reference, inScopeKept));
  }

  /** A scorer on distance alone (weight 0 on energy), for heads with no held-aside scores. */
  public static NoveltyScorer distanceOnly(double[] distance, double inScopeKept) {
    double dm = mean(distance);
    double ds = spread(distance, dm);
    double[] reference = sorted(mix(0, new double[distance.length], distance, 0, 1, dm, ds));
    return new NoveltyScorer(0, 0, 1, dm, ds, reference, quantile(reference, inScopeKept));
  }

  /** The mixed score; larger is more novel. */
  public double raw(double energy, double distance) {
    return alpha * (energy - energyMean) / energySpread
        + (1 - alpha) * (distance - distanceMean) / distanceSpread;
  }

  /** Share of in-scope calibration examples with a lower raw score, in [0, 1]. */
  public double percentile(double raw) {
    int index = Arrays.binarySearch(reference, raw);
    int below = index >= 0 ? index : -index - 1;
    return (double) below / reference.length;
  }

  public boolean isNovel(double raw) {
    return raw > threshold;
  }

  public double alpha() {
    return alpha;
  }

  public double threshold() {
    return threshold;
  }

  /** The novelty score (percentile) at the threshold. */
  public double thresholdPercentile() {
    return percentile(threshold);
  }

  public double[] state() {
    return new double[] {alpha, energyMean, energySpread, distanceMean, distanceSpread, threshold};
  }

  public double[] reference() {
    return reference;
  }

  /** The inverse of {@link #state()} with its reference scores. */
  public static NoveltyScorer of(double[] state, double[] reference) {
    return new NoveltyScorer(state[0], state[1], state[2], state[3], state[4], reference,
        state[5]);
  }

  static double quantile(double[] sorted, double q) {
    if (q >= 1) {
      return sorted[sorted.length - 1];
    }
    double position = q * (sorted.length - 1);
    int lower = (int) Math.floor(position);
    int upper = Math.min(sorted.length - 1, lower + 1);
    return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
  }

  private static double[] mix(double alpha, double[] energy, double[] distance, double em,
      double es, double dm, double ds) {
    double[] scores = new double[energy.length];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = alpha * (energy[i] - em) / es + (1 - alpha) * (distance[i] - dm) / ds;
    }
    return scores;
  }

  private static double[] sorted(double[] values) {
    double[] copy = values.clone();
    Arrays.sort(copy);
    return copy;
  }

  private static double mean(double[] values) {
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return sum / values.length;
  }

  private static double spread(double[] values, double mean) {
    double sum = 0;
    for (double v : values) {
      sum += (v - mean) * (v - mean);
    }
    double sd = Math.sqrt(sum / values.length);
    return sd > 1e-9 ? sd : 1.0;
  }
}
