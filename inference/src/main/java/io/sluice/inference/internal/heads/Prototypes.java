package io.sluice.inference.internal.heads;

/**
 * Nearest-centroid scores: one unit-length prototype per label (the mean of its examples'
 * vectors, its description counting as an example), and {@code logit = scale * cosine}. Needs no
 * training beyond averaging, so it works from a handful of examples.
 */
final class Prototypes implements LogitModel {

  /** Scores are cosines times this, so that a calibrated temperature near 1 is typical. */
  public static final float SCALE = 20f;

  private final float[][] prototypes;
  private final float[] byFeature;

  public Prototypes(float[][] prototypes) {
    this.prototypes = prototypes;
    int labels = prototypes.length;
    int d = prototypes[0].length;
    this.byFeature = new float[labels * d];
    for (int c = 0; c < labels; c++) {
      for (int k = 0; k < d; k++) {
        byFeature[k * labels + c] = SCALE * prototypes[c][k];
      }
    }
  }

  /** The normalized mean vector of each label's examples. */
  public static Prototypes fit(float[][] vectors, int[] targets, int labels) {
    int d = vectors[0].length;
    float[][] sums = new float[labels][d];
    for (int i = 0; i < vectors.length; i++) {
      Vectors.axpy(1f, vectors[i], 0, sums[targets[i]], 0, d);
    }
    for (float[] sum : sums) {
      Vectors.normalize(sum);
    }
    return new Prototypes(sums);
  }

  public float[][] prototypes() {
    return prototypes;
  }

  @Override
  public int labels() {
    return prototypes.length;
  }

  @Override
  public float[] logits(float[] vector) {
    float[] z = new float[prototypes.length];
    Vectors.addTimes(vector, byFeature, prototypes.length, z);
    return z;
  }
}
