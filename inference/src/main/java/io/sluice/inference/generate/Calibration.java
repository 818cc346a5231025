package io.sluice.inference.generate;

import java.util.List;

/**
 * Turns label log-likelihoods into a confidence the router can threshold: probabilities are
 * {@code softmax(score / temperature)} over the labels, where a label's score is its summed
 * log-likelihood, or its mean per token when {@code lengthNormalized} (long labels then do not
 * lose merely for being long). A temperature fitted on labelled examples ({@link #fit}) makes the
 * top probability match the observed accuracy (temperature scaling, Guo et al., ICML 2017).
 */
public record Calibration(double temperature, boolean lengthNormalized) {

  public Calibration {
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be positive, got " + temperature);
    }
  }

  /** Raw likelihoods: temperature 1, summed. */
  public static Calibration none() {
    return new Calibration(1, false);
  }

  /** The score one label gets from its summed log-likelihood over {@code tokens} tokens. */
  double score(double logLikelihood, int tokens) {
    return (lengthNormalized ? logLikelihood / Math.max(1, tokens) : logLikelihood) / temperature;
  }

  /**
   * The temperature that minimises the negative log-likelihood of {@code trueLabels} given the
   * scores (golden-section search on log temperature over [0.01, 100]).
   */
  public static Calibration fit(List<LabelScores> scored, List<String> trueLabels,
      boolean lengthNormalized) {
    if (scored.size() != trueLabels.size() || scored.isEmpty()) {
      throw new IllegalArgumentException("Calibration needs as many true labels as scored"
          + " examples, and at least one; got " + scored.size() + " and " + trueLabels.size());
    }
    double lo = Math.log(0.01);
    double hi = Math.log(100);
    double golden = (Math.sqrt(5) - 1) / 2;
    double a = hi - golden * (hi - lo);
    double b = lo + golden * (hi - lo);
    double fa = nll(scored, trueLabels, Math.exp(a), lengthNormalized);
    double fb = nll(scored, trueLabels, Math.exp(b), lengthNormalized);
    for (int i = 0; i < 60; i++) {
      if (fa < fb) {
        hi = b;
        b = a;
        fb = fa;
        a = hi - golden * (hi - lo);
        fa = nll(scored, trueLabels, Math.exp(a), lengthNormalized);
      } else {
        lo = a;
        a = b;
        fa = fb;
        b = lo + golden * (hi - lo);
        fb = nll(scored, trueLabels, Math.exp(b), lengthNormalized);
      }
    }
    return new Calibration(Math.exp((lo + hi) / 2), lengthNormalized);
  }

  /** Mean negative log-likelihood of the true labels under this calibration. */
  public double negativeLogLikelihood(List<LabelScores> scored, List<String> trueLabels) {
    return nll(scored, trueLabels, temperature, lengthNormalized);
  }

  private static double nll(List<LabelScores> scored, List<String> trueLabels, double t,
      boolean normalized) {
    Calibration c = new Calibration(t, normalized);
    double total = 0;
    for (int i = 0; i < scored.size(); i++) {
      LabelScores s = scored.get(i).recalibrated(c);
      int truth = s.labels().indexOf(trueLabels.get(i));
      if (truth < 0) {
        throw new IllegalArgumentException("True label '" + trueLabels.get(i)
            + "' is not one of " + s.labels());
      }
      total -= Math.log(Math.max(s.probabilities()[truth], 1e-300));
    }
    return total / scored.size();
  }
}
