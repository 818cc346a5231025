package io.sluice.inference;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * Routing thresholds that keep a promise on new data: with probability at least
 * {@code 1 - delta} over the draw of the calibration records, the records the rule keeps local
 * are right at least {@code accuracy} of the time and at most {@code maxOutOfScopeKept} of the
 * out-of-scope records are kept.
 *
 * <p><b>Method.</b> Learn then Test (Angelopoulos, Bates, Candes, Jordan, Lei 2021) with
 * fixed-sequence testing, on two disjoint sets of calibration records. The first set chooses
 * what does not need a guarantee: the novelty threshold (the empirical rule of
 * {@link RoutingThresholds#choose}) and the sequence of confidence thresholds to test, its
 * observed confidences strictest first, starting where it keeps twice the records that the
 * accuracy test needs to pass at all (with no error). The second set tests them in that order.
 * At each threshold two null hypotheses are tested with exact binomial p-values: "kept accuracy
 * is below the target" (errors among the kept in-scope records against Bin(kept, 1 - accuracy))
 * and "more than the allowed share of out-of-scope records is kept" (out-of-scope records kept
 * against Bin(out-of-scope, maxOutOfScopeKept)), each at {@code delta / 2} (Bonferroni). The
 * sequence ends at the first threshold where either is not rejected; the last one before it is
 * chosen. The order and the start are fixed before the second set is looked at, so fixed-
 * sequence testing controls the family-wise error at {@code delta}: the promise holds for the
 * chosen threshold with probability at least {@code 1 - delta}. When not even the first
 * threshold passes, nothing is kept.
 *
 * @param thresholds the rule
 * @param kept calibration in-scope records the rule keeps
 * @param errors wrong ones among them
 * @param outOfScopeKept calibration out-of-scope records the rule keeps
 * @param outOfScope calibration out-of-scope records
 * @param pAccuracy the accuracy test's p-value at the chosen threshold (1 when none)
 * @param pOutOfScope the out-of-scope test's p-value there (1 when none)
 */
public record GuaranteedThresholds(RoutingThresholds thresholds, double accuracy,
    double maxOutOfScopeKept, double delta, int kept, int errors, int outOfScopeKept,
    int outOfScope, double pAccuracy, double pOutOfScope) {

  /**
   * @param noveltyCalibration records that choose the novelty threshold
   * @param testCalibration other records, on which the guarantee is tested
   */
  public static GuaranteedThresholds choose(List<RoutingThresholds.Outcome> noveltyCalibration,
      List<RoutingThresholds.Outcome> testCalibration, double accuracy,
      double maxOutOfScopeKept, double delta) {
    if (!(accuracy > 0 && accuracy < 1) || !(delta > 0 && delta < 1)
        || !(maxOutOfScopeKept >= 0 && maxOutOfScopeKept <= 1)) {
      throw new IllegalArgumentException("accuracy and delta must lie strictly between 0 and 1,"
          + " maxOutOfScopeKept between 0 and 1");
    }
    double maxNovelty = RoutingThresholds.choose(noveltyCalibration, accuracy,
        maxOutOfScopeKept).maxNovelty();
    List<RoutingThresholds.Outcome> inScope = new ArrayList<>();
    List<RoutingThresholds.Outcome> outOfScope = new ArrayList<>();
    for (RoutingThresholds.Outcome o : testCalibration) {
      (o.inScope() ? inScope : outOfScope).add(o);
    }
    // the sequence of thresholds comes from the first set only
    List<Double> firstSet = noveltyCalibration.stream()
        .filter(o -> o.inScope() && o.prediction().novelty() <= maxNovelty)
        .map(o -> o.prediction().confidence())
        .sorted(Comparator.reverseOrder())
        .toList();
    int needed = (int) Math.ceil(Math.log(delta / 2) / Math.log(accuracy));
    TreeSet<Double> levels = new TreeSet<>(Comparator.reverseOrder());
    for (int i = 2 * needed - 1; i < firstSet.size(); i++) {
      levels.add(firstSet.get(i));
    }
    List<RoutingThresholds.Outcome> byConfidence = inScope.stream()
        .filter(o -> o.prediction().novelty() <= maxNovelty)
        .sorted(Comparator.comparingDouble((RoutingThresholds.Outcome o) ->
            o.prediction().confidence()).reversed())
        .toList();
    List<Double> oosConfidence = outOfScope.stream()
        .filter(o -> o.prediction().novelty() <= maxNovelty)
        .map(o -> o.prediction().confidence())
        .sorted(Comparator.reverseOrder())
        .toList();
    GuaranteedThresholds chosen = new GuaranteedThresholds(
        new RoutingThresholds(Double.POSITIVE_INFINITY, maxNovelty), accuracy, maxOutOfScopeKept,
        delta, 0, 0, 0, outOfScope.size(), 1, 1);
    int kept = 0;
    int errors = 0;
    int oosKept = 0;
    for (double level : levels) {
      while (kept < byConfidence.size()
          && byConfidence.get(kept).prediction().confidence() >= level) {
        errors += byConfidence.get(kept).correct() ? 0 : 1;
        kept++;
      }
      while (oosKept < oosConfidence.size() && oosConfidence.get(oosKept) >= level) {
        oosKept++;
      }
      double pAccuracy = binomialCdf(errors, kept, 1 - accuracy);
      double pOutOfScope = outOfScope.isEmpty() ? 0
          : binomialCdf(oosKept, outOfScope.size(), maxOutOfScopeKept);
      if (pAccuracy > delta / 2 || pOutOfScope > delta / 2) {
        break;
      }
      chosen = new GuaranteedThresholds(new RoutingThresholds(level, maxNovelty), accuracy,
          maxOutOfScopeKept, delta, kept, errors, oosKept, outOfScope.size(), pAccuracy,
          pOutOfScope);
    }
    return chosen;
  }

  /** P(X <= k) for X ~ Binomial(n, p), summed in log space so that large n do not underflow. */
  static double binomialCdf(int k, int n, double p) {
    if (k >= n) {
      return 1;
    }
    if (k < 0) {
      return 0;
    }
    if (p <= 0) {
      return 1;
    }
    if (p >= 1) {
      return 0;
    }
    double logP = Math.log(p);
    double logQ = Math.log1p(-p);
    double logTerm = n * logQ; // i = 0
    double max = logTerm;
    double[] terms = new double[k + 1];
    terms[0] = logTerm;
    for (int i = 1; i <= k; i++) {
      logTerm += Math.log((double) (n - i + 1) / i) + logP - logQ;
      terms[i] = logTerm;
      max = Math.max(max, logTerm);
    }
    double sum = 0;
    for (double t : terms) {
      sum += Math.exp(t - max);
    }
    return Math.min(1, Math.exp(max + Math.log(sum)));
  }
}
