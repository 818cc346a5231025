package io.sluice.inference.internal.heads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HeadMathTest {

  private final SplittableRandom random = new SplittableRandom(7);

  @Test
  void temperatureScalingRecoversTheTemperatureThatGeneratedTheLabels() {
    // Labels drawn from softmax(z / 2.5): the best temperature for the sample is near 2.5.
    List<float[]> logits = new ArrayList<>();
    int n = 4000;
    int[] targets = new int[n];
    double[] p = new double[5];
    for (int i = 0; i < n; i++) {
      float[] z = new float[5];
      for (int c = 0; c < 5; c++) {
        z[c] = (float) (random.nextGaussian() * 4);
      }
      Vectors.softmax(z, 2.5, p);
      double u = random.nextDouble();
      int label = 0;
      for (double cumulative = p[0]; cumulative < u && label < 4; cumulative += p[++label]) {
        // walk the cumulative distribution
      }
      logits.add(z);
      targets[i] = label;
    }

    assertThat(Temperature.fit(logits, targets)).isCloseTo(2.5, within(0.25));
  }

  @Test
  void noveltyThresholdKeepsTheRequestedShareOfInScopeExamples() {
    double[] energy = gaussians(1000, 0);
    double[] distance = gaussians(1000, 0);

    NoveltyScorer scorer = NoveltyScorer.fit(energy, distance, new double[0], new double[0], 0.9);

    int flagged = 0;
    for (int i = 0; i < energy.length; i++) {
      flagged += scorer.isNovel(scorer.raw(energy[i], distance[i])) ? 1 : 0;
    }
    assertThat(flagged).isBetween(95, 105);
    assertThat(scorer.alpha()).isEqualTo(0.5);
    assertThat(scorer.thresholdPercentile()).isCloseTo(0.9, within(0.01));
  }

  @Test
  void noveltyWeighsTheSignalThatSeparatesKnownOutOfScopeTexts() {
    // Distance separates out-of-scope texts; energy is noise.
    double[] energy = gaussians(500, 0);
    double[] distance = gaussians(500, 0);
    double[] oosEnergy = gaussians(100, 0);
    double[] oosDistance = gaussians(100, 3);

    NoveltyScorer scorer = NoveltyScorer.fit(energy, distance, oosEnergy, oosDistance, 0.95);

    assertThat(scorer.alpha()).isLessThanOrEqualTo(0.3);
    assertThat(scorer.percentile(scorer.raw(0, 5))).isEqualTo(1.0);
    assertThat(scorer.percentile(scorer.raw(-10, -10))).isEqualTo(0.0);
  }

  @Test
  void softmaxRegressionSeparatesClusters() {
    int labels = 4;
    int perLabel = 50;
    float[][] centres = new float[labels][];
    for (int c = 0; c < labels; c++) {
      centres[c] = unit(16);
    }
    float[][] vectors = new float[labels * perLabel][];
    int[] targets = new int[labels * perLabel];
    for (int i = 0; i < vectors.length; i++) {
      targets[i] = i % labels;
      vectors[i] = near(centres[targets[i]], 0.3);
    }

    SoftmaxRegression model = SoftmaxRegression.train(vectors, targets, labels,
        SoftmaxRegression.Settings.DEFAULT, random);

    int correct = 0;
    for (int c = 0; c < labels; c++) {
      correct += Vectors.argmax(model.logits(near(centres[c], 0.3))) == c ? 1 : 0;
    }
    assertThat(correct).isEqualTo(labels);
  }

  @Test
  void labelWeightsAreOneWhenBalancedAndEvenOutImbalance() {
    assertThat(SoftmaxRegression.labelWeights(new int[] {0, 1, 2, 0, 1, 2}, 3))
        .containsExactly(1f, 1f, 1f);
    // Eight examples of label 0, two of label 1, none of label 2: each present label weighs 5.
    int[] targets = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
    assertThat(SoftmaxRegression.labelWeights(targets, 3)).containsExactly(0.625f, 2.5f, 0f);
  }

  @Test
  void softmaxRegressionLearnsALabelFromAFewExamplesBesideAWellTaughtOne() {
    // A label taught from three feedback examples next to one with 300, their centres close.
    float[] common = unit(16);
    float[] rare = near(common, 0.5);
    int n = 303;
    float[][] vectors = new float[n][];
    int[] targets = new int[n];
    for (int i = 0; i < n; i++) {
      targets[i] = i < 300 ? 0 : 1;
      vectors[i] = near(targets[i] == 0 ? common : rare, 0.35);
    }

    SoftmaxRegression model = SoftmaxRegression.train(vectors, targets, 2,
        SoftmaxRegression.Settings.DEFAULT, random);

    int rareFound = 0;
    int commonKept = 0;
    for (int i = 0; i < 200; i++) {
      rareFound += Vectors.argmax(model.logits(near(rare, 0.35))) == 1 ? 1 : 0;
      commonKept += Vectors.argmax(model.logits(near(common, 0.35))) == 0 ? 1 : 0;
    }
    assertThat(rareFound).as("texts of the rare label found").isGreaterThan(140);
    assertThat(commonKept).as("texts of the common label kept").isGreaterThan(140);
  }

  @Test
  void neighbourDistanceIsZeroOnAKnownPointAndGrowsAway() {
    float[] a = unit(8);
    float[] b = unit(8);
    NeighbourBank bank = NeighbourBank.build(new float[][] {a, b}, new int[] {0, 1}, 2, 8, 3,
        random);

    assertThat(bank.neighbours()).isEqualTo(1);
    assertThat(bank.distance(a)).isCloseTo(0.0, within(1e-5));
    float[] away = near(a, 2.0);
    assertThat(bank.distance(away)).isGreaterThan(bank.distance(near(a, 0.1)));
  }

  @Test
  void kMeansSummarizesEachClusterByOneCentroid() {
    List<float[]> points = new ArrayList<>();
    float[] x = unit(8);
    float[] y = unit(8);
    for (int i = 0; i < 40; i++) {
      points.add(near(i % 2 == 0 ? x : y, 0.05));
    }

    List<float[]> centroids = KMeans.spherical(points, 2, 10, random);

    double bestX = Math.max(Vectors.dot(centroids.get(0), x), Vectors.dot(centroids.get(1), x));
    double bestY = Math.max(Vectors.dot(centroids.get(0), y), Vectors.dot(centroids.get(1), y));
    assertThat(bestX).isGreaterThan(0.99);
    assertThat(bestY).isGreaterThan(0.99);
  }

  @Test
  void foldsKeepEveryLabelInEveryTrainingPart() {
    int[] targets = {0, 0, 0, 1, 1, 2, 2, 2, 2, 2, 2, 3};
    int[] folds = HeadTrainer.assignFolds(targets, 4, 5, random);

    for (int f = 0; f < 5; f++) {
      boolean[] seen = new boolean[4];
      for (int i = 0; i < targets.length; i++) {
        if (folds[i] != f) {
          seen[targets[i]] = true;
        }
      }
      assertThat(seen).containsOnly(true);
    }
    assertThat(folds[11]).isEqualTo(-1);
  }

  private double[] gaussians(int n, double mean) {
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = mean + random.nextGaussian();
    }
    return values;
  }

  private float[] unit(int d) {
    float[] v = new float[d];
    for (int i = 0; i < d; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return Vectors.normalize(v);
  }

  private float[] near(float[] centre, double noise) {
    float[] v = centre.clone();
    for (int i = 0; i < v.length; i++) {
      v[i] += (float) (random.nextGaussian() * noise / Math.sqrt(v.length));
    }
    return Vectors.normalize(v);
  }
}
