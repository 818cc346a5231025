package io.sluice.inference.generate;

import java.util.List;

/**
 * How well each label continues one record's prompt.
 *
 * @param labels the candidate labels, in the scorer's order
 * @param logLikelihoods summed natural log-probability of each label's tokens after the prompt
 * @param tokenCounts how many tokens each label has
 * @param probabilities calibrated probabilities over the labels (they sum to 1)
 * @param best index of the most probable label
 */
public record LabelScores(List<String> labels, double[] logLikelihoods, int[] tokenCounts,
    double[] probabilities, int best) {

  public LabelScores {
    labels = List.copyOf(labels);
    logLikelihoods = logLikelihoods.clone();
    tokenCounts = tokenCounts.clone();
    probabilities = probabilities.clone();
  }

  /** Scores under {@code calibration}. */
  static LabelScores of(List<String> labels, double[] logLikelihoods, int[] tokenCounts,
      Calibration calibration) {
    double[] scores = new double[labels.size()];
    double max = Double.NEGATIVE_INFINITY;
    int best = 0;
    for (int i = 0; i < scores.length; i++) {
      scores[i] = calibration.score(logLikelihoods[i], tokenCounts[i]);
      if (scores[i] > max) {
        max = scores[i];
        best = i;
      }
    }
    double sum = 0;
    double[] p = new double[scores.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = Math.exp(scores[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
    }
    return new LabelScores(labels, logLikelihoods, tokenCounts, p, best);
  }

  /** The same likelihoods under another calibration. */
  public LabelScores recalibrated(Calibration calibration) {
    return of(labels, logLikelihoods, tokenCounts, calibration);
  }

  public String label() {
    return labels.get(best);
  }

  /** The calibrated probability of the best label. */
  public double confidence() {
    return probabilities[best];
  }
}
