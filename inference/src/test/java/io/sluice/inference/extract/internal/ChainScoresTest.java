package io.sluice.inference.extract.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The CRF's forward-backward pass against brute force (every tag path of a short text
 * enumerated) and its gradient against finite differences of the log-likelihood.
 */
class ChainScoresTest {

  private static final TagScheme IOBES = TagScheme.iobes(List.of("Phys", "Act"));

  @Property(tries = 200)
  void marginalsAreTheShareOfLegalPathsThroughEachTag(
      @ForAll @IntRange(min = 1, max = 4) int words, @ForAll long seed) {
    Random random = new Random(seed);
    int k = IOBES.size();
    ChainScores chain = new ChainScores(IOBES, 2, randomScores(2 * ChainScores.size(k), random));
    float[][] emissions = new float[words][2 * k];
    for (float[] row : emissions) {
      for (int i = 0; i < row.length; i++) {
        row[i] = (float) random.nextGaussian();
      }
    }
    int layer = 1;
    double[][] expected = new double[words][k];
    double total = 0;
    int[] path = new int[words];
    for (long code = 0; code < Math.round(Math.pow(k, words)); code++) {
      long c = code;
      for (int w = 0; w < words; w++) {
        path[w] = (int) (c % k);
        c /= k;
      }
      if (!legal(path)) {
        continue;
      }
      double p = Math.exp(score(chain, emissions, k, layer, path));
      total += p;
      for (int w = 0; w < words; w++) {
        expected[w][path[w]] += p;
      }
    }

    double[][] marginals = chain.marginals(emissions, k, layer);

    for (int w = 0; w < words; w++) {
      for (int t = 0; t < k; t++) {
        assertThat(marginals[w][t]).isCloseTo(expected[w][t] / total, within(1e-6));
      }
    }
  }

  @Example
  void gradientMatchesFiniteDifferencesOfTheLogLikelihood() {
    Random random = new Random(7);
    int k = IOBES.size();
    float[] scores = randomScores(ChainScores.size(k), random);
    ChainScores chain = new ChainScores(IOBES, 1, scores);
    float[][] emissions = new float[4][k];
    for (float[] row : emissions) {
      for (int i = 0; i < k; i++) {
        row[i] = (float) random.nextGaussian();
      }
    }
    // "replace hyd pump seal": S-Act, B-Phys, I-Phys, E-Phys
    int[] gold = {IOBES.indexOf("S-Act"), IOBES.indexOf("B-Phys"), IOBES.indexOf("I-Phys"),
        IOBES.indexOf("E-Phys")};
    float[][] emissionGradient = new float[4][k];
    float[] scoreGradient = new float[scores.length];

    chain.gradient(emissions, 0, 0, gold, emissionGradient, scoreGradient);

    double h = 1e-2;
    for (int w = 0; w < 4; w++) {
      for (int t = 0; t < k; t++) {
        float saved = emissions[w][t];
        emissions[w][t] = (float) (saved + h);
        double up = -chain.logLikelihood(emissions, 0, 0, gold);
        emissions[w][t] = (float) (saved - h);
        double down = -chain.logLikelihood(emissions, 0, 0, gold);
        emissions[w][t] = saved;
        assertThat((double) emissionGradient[w][t]).as("emission %d %d", w, t)
            .isCloseTo((up - down) / (2 * h), within(2e-3));
      }
    }
    for (int i = 0; i < scores.length; i++) {
      float saved = scores[i];
      scores[i] = (float) (saved + h);
      double up = -chain.logLikelihood(emissions, 0, 0, gold);
      scores[i] = (float) (saved - h);
      double down = -chain.logLikelihood(emissions, 0, 0, gold);
      scores[i] = saved;
      assertThat((double) scoreGradient[i]).as("score %d", i)
          .isCloseTo((up - down) / (2 * h), within(2e-3));
    }
    assertThat(chain.logLikelihood(emissions, 0, 0, gold)).isNegative();
  }

  private static boolean legal(int[] path) {
    if (!IOBES.canStart(path[0]) || !IOBES.canEnd(path[path.length - 1])) {
      return false;
    }
    for (int w = 1; w < path.length; w++) {
      if (!IOBES.allowed(path[w - 1], path[w])) {
        return false;
      }
    }
    return true;
  }

  private static double score(ChainScores chain, float[][] emissions, int offset, int layer,
      int[] path) {
    int k = IOBES.size();
    float[] s = chain.scores();
    int base = layer * ChainScores.size(k);
    double total = s[base + k * k + path[0]] + s[base + k * k + k + path[path.length - 1]];
    for (int w = 0; w < path.length; w++) {
      total += emissions[w][offset + path[w]];
      if (w > 0) {
        total += s[base + path[w - 1] * k + path[w]];
      }
    }
    return total;
  }

  private static float[] randomScores(int size, Random random) {
    float[] scores = new float[size];
    for (int i = 0; i < size; i++) {
      scores[i] = (float) random.nextGaussian();
    }
    return scores;
  }
}
