package io.sluice.inference.internal.heads;

import java.util.random.RandomGenerator;

/**
 * Multinomial logistic regression over unit-length sentence vectors: {@code logits = scale * (x W +
 * b)}, trained with mini-batch Adam on cross-entropy in which every label weighs the same (see
 * {@link #labelWeights}; on balanced data all weights are 1). The fixed {@code scale} lets small
 * weights express confident predictions on unit vectors. Weights are stored feature-major
 * ({@code W[d * labels + c]}) so both passes run as contiguous {@code y += a * x} loops.
 */
final class SoftmaxRegression implements LogitModel {

  /** Training knobs; {@link #DEFAULT} is what docs/BENCHMARKS.md measured on CLINC150. */
  public record Settings(int epochs, int batchSize, double learningRate, float scale) {
    public static final Settings DEFAULT = new Settings(10, 64, 3e-3, 10f);
  }

  private final int dimension;
  private final int labels;
  private final float scale;
  private final float[] weights;
  private final float[] bias;

  public SoftmaxRegression(int dimension, int labels, float scale, float[] weights, float[] bias) {
    if (weights.length != dimension * labels || bias.length != labels) {
      throw new IllegalArgumentException("Weights of " + weights.length + " and bias of "
          + bias.length + " do not fit " + dimension + " features x " + labels + " labels");
    }
    this.dimension = dimension;
    this.labels = labels;
    this.scale = scale;
    this.weights = weights;
    this.bias = bias;
  }

  /** Trains on {@code vectors} with labels {@code targets} in {@code [0, labels)}. */
  public static SoftmaxRegression train(float[][] vectors, int[] targets, int labels,
      Settings settings, RandomGenerator random) {
    int n = vectors.length;
    int d = vectors[0].length;
    float[] w = new float[d * labels];
    float[] b = new float[labels];
    float[] mW = new float[w.length];
    float[] vW = new float[w.length];
    float[] mB = new float[labels];
    float[] vB = new float[labels];
    float[] gW = new float[w.length];
    float[] gB = new float[labels];
    int batch = Math.min(settings.batchSize(), n);
    float[][] probabilities = new float[batch][labels];
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    float scale = settings.scale();
    float[] weight = labelWeights(targets, labels);
    long step = 0;
    for (int epoch = 0; epoch < settings.epochs(); epoch++) {
      shuffle(order, random);
      for (int start = 0; start < n; start += batch) {
        int end = Math.min(n, start + batch);
        int size = end - start;
        java.util.Arrays.fill(gW, 0f);
        java.util.Arrays.fill(gB, 0f);
        for (int r = 0; r < size; r++) {
          float[] x = vectors[order[start + r]];
          float[] z = probabilities[r];
          System.arraycopy(b, 0, z, 0, labels);
          Vectors.addTimes(x, w, labels, z);
          float max = Float.NEGATIVE_INFINITY;
          for (int c = 0; c < labels; c++) {
            z[c] *= scale;
            max = Math.max(max, z[c]);
          }
          float sum = 0;
          for (int c = 0; c < labels; c++) {
            z[c] = (float) Math.exp(z[c] - max);
            sum += z[c];
          }
          float inverse = 1f / sum;
          for (int c = 0; c < labels; c++) {
            z[c] *= inverse;
          }
          z[targets[order[start + r]]] -= 1f;
          float g = scale / size * weight[targets[order[start + r]]];
          for (int c = 0; c < labels; c++) {
            z[c] *= g;
            gB[c] += z[c];
          }
          for (int k = 0; k < d; k++) {
            float xk = x[k];
            if (xk != 0f) {
              Vectors.axpy(xk, z, 0, gW, k * labels, labels);
            }
          }
        }
        step++;
        adam(w, gW, mW, vW, settings.learningRate(), step);
        adam(b, gB, mB, vB, settings.learningRate(), step);
      }
    }
    return new SoftmaxRegression(d, labels, scale, w, b);
  }

  @Override
  public int labels() {
    return labels;
  }

  public int dimension() {
    return dimension;
  }

  public float scale() {
    return scale;
  }

  public float[] weights() {
    return weights;
  }

  public float[] bias() {
    return bias;
  }

  @Override
  public float[] logits(float[] vector) {
    float[] z = bias.clone();
    Vectors.addTimes(vector, weights, labels, z);
    for (int c = 0; c < labels; c++) {
      z[c] *= scale;
    }
    return z;
  }

  /**
   * Each example's weight in the loss, by its label: {@code n / (labels x count)}, so that every
   * label weighs the same in total. With as many examples of every label, all weights are 1;
   * a label taught from a handful of feedback examples is not drowned by labels with hundreds.
   */
  static float[] labelWeights(int[] targets, int labels) {
    int[] counts = new int[labels];
    for (int t : targets) {
      counts[t]++;
    }
    int present = 0;
    for (int c : counts) {
      present += c > 0 ? 1 : 0;
    }
    float[] weights = new float[labels];
    for (int c = 0; c < labels; c++) {
      weights[c] = counts[c] == 0 ? 0f
          : (float) ((double) targets.length / ((double) present * counts[c]));
    }
    return weights;
  }

  private static void adam(float[] p, float[] g, float[] m, float[] v, double rate, long step) {
    double correction1 = 1 - Math.pow(0.9, step);
    double correction2 = 1 - Math.pow(0.999, step);
    float stepSize = (float) (rate * Math.sqrt(correction2) / correction1);
    for (int i = 0; i < p.length; i++) {
      m[i] = 0.9f * m[i] + 0.1f * g[i];
      v[i] = 0.999f * v[i] + 0.001f * g[i] * g[i];
      p[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) + 1e-8f);
    }
  }

  private static void shuffle(int[] order, RandomGenerator random) {
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
}
