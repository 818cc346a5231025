package io.sluice.inference;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The routing rule "keep a result local when it is confident and not novel", with thresholds
 * chosen from labelled validation data rather than guessed.
 *
 * @param minConfidence keep local only at or above this confidence
 * @param maxNovelty keep local only at or below this novelty score
 */
public record RoutingThresholds(double minConfidence, double maxNovelty) {

  /** Whether the rule keeps this prediction on the gateway. */
  public boolean keepLocal(Prediction prediction) {
    return prediction.confidence() >= minConfidence && prediction.novelty() <= maxNovelty;
  }

  /** A validation prediction and whether it is right; {@code inScope} false for unknown texts. */
  public record Outcome(Prediction prediction, boolean correct, boolean inScope) {}

  /**
   * The thresholds that keep the most in-scope validation texts local while the ones kept are
   * right at least {@code localAccuracy} of the time and at most {@code maxOutOfScopeKept} of the
   * out-of-scope validation texts are kept local. Novelty thresholds are tried at every hundredth
   * and confidence thresholds at every observed confidence.
   *
   * @throws InferenceException when no thresholds meet both targets (not even keeping nothing
   *     local, which is impossible only when there are no in-scope outcomes)
   */
  public static RoutingThresholds choose(List<Outcome> validation, double localAccuracy,
      double maxOutOfScopeKept) {
    List<Outcome> inScope = validation.stream().filter(Outcome::inScope).toList();
    List<Outcome> outOfScope = validation.stream().filter(o -> !o.inScope()).toList();
    if (inScope.isEmpty()) {
      throw new InferenceException("Choosing routing thresholds needs in-scope outcomes");
    }
    RoutingThresholds best = new RoutingThresholds(Double.POSITIVE_INFINITY, -1);
    int bestKept = 0;
    for (int step = 0; step <= 100; step++) {
      double maxNovelty = step / 100.0;
      List<Outcome> candidates = new ArrayList<>();
      for (Outcome o : inScope) {
        if (o.prediction().novelty() <= maxNovelty) {
          candidates.add(o);
        }
      }
      candidates.sort(Comparator.comparingDouble((Outcome o) -> o.prediction().confidence())
          .reversed());
      List<Double> oosConfidence = new ArrayList<>();
      for (Outcome o : outOfScope) {
        if (o.prediction().novelty() <= maxNovelty) {
          oosConfidence.add(o.prediction().confidence());
        }
      }
      oosConfidence.sort(Comparator.reverseOrder());
      int correct = 0;
      int oosKept = 0;
      for (int kept = 1; kept <= candidates.size(); kept++) {
        double confidence = candidates.get(kept - 1).prediction().confidence();
        correct += candidates.get(kept - 1).correct() ? 1 : 0;
        if (kept < candidates.size()
            && candidates.get(kept).prediction().confidence() == confidence) {
          continue;
        }
        while (oosKept < oosConfidence.size() && oosConfidence.get(oosKept) >= confidence) {
          oosKept++;
        }
        boolean accurate = correct >= localAccuracy * kept;
        boolean fewUnknown = outOfScope.isEmpty()
            || oosKept <= maxOutOfScopeKept * outOfScope.size();
        if (accurate && fewUnknown && kept > bestKept) {
          bestKept = kept;
          best = new RoutingThresholds(confidence, maxNovelty);
        }
      }
    }
    return best;
  }
}
