package io.sluice.inference.internal.heads;

import java.util.List;

/**
 * Temperature scaling (Guo et al., "On Calibration of Modern Neural Networks", 2017): one number
 * {@code T} dividing every logit, chosen to minimize the negative log-likelihood of held-aside
 * examples, so that a confidence of 0.9 is right about nine times in ten. It never changes which
 * label wins.
 */
final class Temperature {

  private static final double MIN = 0.05;
  private static final double MAX = 20.0;

  private Temperature() {}

  /** The temperature minimizing the mean NLL of {@code targets} under {@code logits / T}. */
  public static double fit(List<float[]> logits, int[] targets) {
    if (logits.isEmpty()) {
      return 1.0;
    }
    double low = Math.log(MIN);
    double high = Math.log(MAX);
    double ratio = (Math.sqrt(5) - 1) / 2;
    double a = high - ratio * (high - low);
    double b = low + ratio * (high - low);
    double fa = nll(logits, targets, Math.exp(a));
    double fb = nll(logits, targets, Math.exp(b));
    for (int i = 0; i < 60; i++) {
      if (fa < fb) {
        high = b;
        b = a;
        fb = fa;
        a = high - ratio * (high - low);
        fa = nll(logits, targets, Math.exp(a));
      } else {
        low = a;
        a = b;
        fa = fb;
        b = low + ratio * (high - low);
        fb = nll(logits, targets, Math.exp(b));
      }
    }
    return Math.exp((low + high) / 2);
  }

  /** Mean negative log-likelihood of the targets at temperature {@code t}. */
  public static double nll(List<float[]> logits, int[] targets, double t) {
    double sum = 0;
    for (int i = 0; i < logits.size(); i++) {
      float[] z = logits.get(i);
      double max = Double.NEGATIVE_INFINITY;
      for (float v : z) {
        max = Math.max(max, v / t);
      }
      double norm = 0;
      for (float v : z) {
        norm += Math.exp(v / t - max);
      }
      sum += max + Math.log(norm) - z[targets[i]] / t;
    }
    return sum / logits.size();
  }
}
