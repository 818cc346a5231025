package io.sluice.inference.generate.internal;

import io.sluice.inference.generate.Sampling;
import java.util.Arrays;
import java.util.function.IntPredicate;
import java.util.random.RandomGenerator;

/**
 * Picks the next token from one row of logits, restricted to a candidate set (all ids when the
 * output is unconstrained). Greedy takes the highest logit, ties to the lowest id (as
 * {@code argmax} does); sampling applies temperature, then top-k, then top-p, and draws with the
 * request's own generator. The reported log-probability is that of the chosen token among the
 * candidates at temperature 1, which is what confidence is built from.
 */
public final class Sampler {

  /** The chosen token and its log-probability among the candidates. */
  public record Choice(int token, double logProb) {}

  private Sampler() {}

  /**
   * @param candidates allowed ids, or {@code null} for every id below {@code vocab}
   * @param banned ids never chosen (used when {@code candidates} is null)
   */
  public static Choice choose(float[] logits, int offset, int vocab, int[] candidates,
      IntPredicate banned, Sampling sampling, RandomGenerator random) {
    int[] ids = candidates != null ? candidates : allowedIds(vocab, banned);
    if (ids.length == 0) {
      throw new IllegalStateException("No candidate token to choose from");
    }
    double max = Double.NEGATIVE_INFINITY;
    int best = -1;
    for (int id : ids) {
      double v = value(logits, offset, id);
      if (best < 0 || v > max || (v == max && id < best)) {
        max = v;
        best = id;
      }
    }
    double logNormalizer = logSumExp(logits, offset, ids, 1.0, max);
    if (sampling.isGreedy() || ids.length == 1) {
      return new Choice(best, value(logits, offset, best) - logNormalizer);
    }
    int token = sample(logits, offset, ids, sampling, random);
    return new Choice(token, value(logits, offset, token) - logNormalizer);
  }

  private static int sample(float[] logits, int offset, int[] ids, Sampling sampling,
      RandomGenerator random) {
    long[] order = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      int bits = Float.floatToIntBits((float) value(logits, offset, ids[i]));
      int sortable = bits ^ ((bits >> 31) & 0x7FFFFFFF);
      order[i] = ((long) ~sortable << 32) | ids[i];
    }
    Arrays.sort(order);
    int keep = sampling.topK() > 0 ? Math.min(sampling.topK(), order.length) : order.length;
    double t = sampling.temperature();
    double top = value(logits, offset, (int) order[0]) / t;
    double[] weights = new double[keep];
    double sum = 0;
    for (int i = 0; i < keep; i++) {
      weights[i] = Math.exp(value(logits, offset, (int) order[i]) / t - top);
      sum += weights[i];
    }
    if (sampling.topP() < 1) {
      double cumulative = 0;
      int cut = keep;
      for (int i = 0; i < keep; i++) {
        cumulative += weights[i] / sum;
        if (cumulative >= sampling.topP()) {
          cut = i + 1;
          break;
        }
      }
      keep = cut;
      sum = 0;
      for (int i = 0; i < keep; i++) {
        sum += weights[i];
      }
    }
    double draw = random.nextDouble() * sum;
    for (int i = 0; i < keep; i++) {
      draw -= weights[i];
      if (draw < 0) {
        return (int) order[i];
      }
    }
    return (int) order[keep - 1];
  }

  private static double logSumExp(float[] logits, int offset, int[] ids, double t, double max) {
    if (max == Double.NEGATIVE_INFINITY) {
      return Math.log(ids.length) + max;
    }
    double sum = 0;
    for (int id : ids) {
      sum += Math.exp((value(logits, offset, id) - max) / t);
    }
    return max + Math.log(sum);
  }

  private static double value(float[] logits, int offset, int id) {
    float v = logits[offset + id];
    return Float.isNaN(v) ? Double.NEGATIVE_INFINITY : v;
  }

  private static int[] allowedIds(int vocab, IntPredicate banned) {
    int[] out = new int[vocab];
    int n = 0;
    for (int id = 0; id < vocab; id++) {
      if (!banned.test(id)) {
        out[n++] = id;
      }
    }
    return Arrays.copyOf(out, n);
  }
}
