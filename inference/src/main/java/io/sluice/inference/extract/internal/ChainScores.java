package io.sluice.inference.extract.internal;

/**
 * The transition scores of a linear-chain CRF per tagging layer, and the forward-backward pass
 * over them.
 *
 * <p>Design. A tag path's score is the sum of its words' emission scores (the tagger's logits),
 * a start score for its first tag, a transition score for each pair of neighbouring tags and an
 * end score for its last tag; a path's probability is its score's exponential over all paths'.
 * Paths the {@link TagScheme} forbids ({@code I-X} after {@code O}, an open IOBES entity not
 * closed) are left out of the sum, so the model never spends probability on them. The pass runs
 * in log space in doubles (texts are tens of words and schemes tens of tags, so it costs far less
 * than the network in front of it).
 *
 * <p>Layout of one layer's {@code k} tags in the shared array, from offset
 * {@code layer * size(k)}: {@code k * k} transitions {@code [from * k + to]}, then {@code k}
 * start scores, then {@code k} end scores.
 */
final class ChainScores {

  private static final double IMPOSSIBLE = Double.NEGATIVE_INFINITY;

  private final TagScheme scheme;
  private final int tags;
  private final int layers;
  private final float[] scores;

  ChainScores(TagScheme scheme, int layers, float[] scores) {
    this.scheme = scheme;
    this.tags = scheme.size();
    this.layers = layers;
    if (scores.length != layers * size(tags)) {
      throw new IllegalArgumentException("CRF scores hold " + scores.length + " values; "
          + layers + " layers of " + tags + " tags need " + layers * size(tags));
    }
    this.scores = scores;
  }

  /** Values per layer for {@code tags} tags. */
  static int size(int tags) {
    return tags * tags + 2 * tags;
  }

  /** The shared score array (not a copy): trained in place, saved as it is. */
  float[] scores() {
    return scores;
  }

  int layers() {
    return layers;
  }

  /**
   * Per-word tag probabilities (marginals) of one layer.
   *
   * @param emissions {@code [word][tag]} scores; read from {@code offset} in each row
   */
  double[][] marginals(float[][] emissions, int offset, int layer) {
    int n = emissions.length;
    double[][] alpha = new double[n][tags];
    double[][] beta = new double[n][tags];
    double logZ = forwardBackward(emissions, offset, layer, alpha, beta);
    double[][] out = new double[n][tags];
    for (int w = 0; w < n; w++) {
      for (int t = 0; t < tags; t++) {
        out[w][t] = Math.exp(alpha[w][t] + beta[w][t] - logZ);
      }
    }
    return out;
  }

  /**
   * Adds the gradient of the negative log-likelihood of {@code gold} for one layer: into
   * {@code emissionGradient[word][offset + tag]} and into {@code scoreGradient} (laid out like
   * the scores).
   */
  void gradient(float[][] emissions, int offset, int layer, int[] gold,
      float[][] emissionGradient, float[] scoreGradient) {
    int n = emissions.length;
    double[][] alpha = new double[n][tags];
    double[][] beta = new double[n][tags];
    double logZ = forwardBackward(emissions, offset, layer, alpha, beta);
    int base = layer * size(tags);
    int start = base + tags * tags;
    int end = start + tags;
    for (int w = 0; w < n; w++) {
      for (int t = 0; t < tags; t++) {
        float marginal = (float) Math.exp(alpha[w][t] + beta[w][t] - logZ);
        emissionGradient[w][offset + t] += marginal;
        if (w == 0) {
          scoreGradient[start + t] += marginal;
        }
        if (w == n - 1) {
          scoreGradient[end + t] += marginal;
        }
      }
      emissionGradient[w][offset + gold[w]] -= 1;
    }
    scoreGradient[start + gold[0]] -= 1;
    scoreGradient[end + gold[n - 1]] -= 1;
    for (int w = 1; w < n; w++) {
      for (int from = 0; from < tags; from++) {
        if (alpha[w - 1][from] == IMPOSSIBLE) {
          continue;
        }
        for (int to = 0; to < tags; to++) {
          if (scheme.allowed(from, to) && beta[w][to] != IMPOSSIBLE) {
            double pair = alpha[w - 1][from] + scores[base + from * tags + to]
                + emissions[w][offset + to] + beta[w][to] - logZ;
            scoreGradient[base + from * tags + to] += (float) Math.exp(pair);
          }
        }
      }
      scoreGradient[base + gold[w - 1] * tags + gold[w]] -= 1;
    }
  }

  /** The log-probability of the tag path {@code gold} in one layer. */
  double logLikelihood(float[][] emissions, int offset, int layer, int[] gold) {
    int n = emissions.length;
    int base = layer * size(tags);
    double path = scores[base + tags * tags + gold[0]] + scores[base + tags * tags + tags
        + gold[n - 1]];
    for (int w = 0; w < n; w++) {
      path += emissions[w][offset + gold[w]];
      if (w > 0) {
        path += scores[base + gold[w - 1] * tags + gold[w]];
      }
    }
    return path - forwardBackward(emissions, offset, layer, new double[n][tags],
        new double[n][tags]);
  }

  /** Fills log alpha and log beta; returns log Z. */
  private double forwardBackward(float[][] emissions, int offset, int layer, double[][] alpha,
      double[][] beta) {
    int n = emissions.length;
    int base = layer * size(tags);
    int start = base + tags * tags;
    int end = start + tags;
    double[] terms = new double[tags];
    for (int t = 0; t < tags; t++) {
      alpha[0][t] = scheme.canStart(t) ? scores[start + t] + emissions[0][offset + t]
          : IMPOSSIBLE;
    }
    for (int w = 1; w < n; w++) {
      for (int to = 0; to < tags; to++) {
        int count = 0;
        for (int from = 0; from < tags; from++) {
          if (scheme.allowed(from, to) && alpha[w - 1][from] != IMPOSSIBLE) {
            terms[count++] = alpha[w - 1][from] + scores[base + from * tags + to];
          }
        }
        alpha[w][to] = count == 0 ? IMPOSSIBLE
            : logSumExp(terms, count) + emissions[w][offset + to];
      }
    }
    for (int t = 0; t < tags; t++) {
      beta[n - 1][t] = scheme.canEnd(t) ? scores[end + t] : IMPOSSIBLE;
    }
    for (int w = n - 2; w >= 0; w--) {
      for (int from = 0; from < tags; from++) {
        int count = 0;
        for (int to = 0; to < tags; to++) {
          if (scheme.allowed(from, to) && beta[w + 1][to] != IMPOSSIBLE) {
            terms[count++] = scores[base + from * tags + to] + emissions[w + 1][offset + to]
                + beta[w + 1][to];
          }
        }
        beta[w][from] = count == 0 ? IMPOSSIBLE : logSumExp(terms, count);
      }
    }
    int count = 0;
    for (int t = 0; t < tags; t++) {
      if (alpha[n - 1][t] != IMPOSSIBLE && beta[n - 1][t] != IMPOSSIBLE) {
        terms[count++] = alpha[n - 1][t] + beta[n - 1][t];
      }
    }
    return logSumExp(terms, count);
  }

  private static double logSumExp(double[] values, int count) {
    double max = IMPOSSIBLE;
    for (int i = 0; i < count; i++) {
      max = Math.max(max, values[i]);
    }
    if (max == IMPOSSIBLE) {
      return IMPOSSIBLE;
    }
    double sum = 0;
    for (int i = 0; i < count; i++) {
      sum += Math.exp(values[i] - max);
    }
    return max + Math.log(sum);
  }
}
