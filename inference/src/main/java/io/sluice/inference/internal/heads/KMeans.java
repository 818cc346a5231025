package io.sluice.inference.internal.heads;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/** Spherical k-means (cosine) with seeded, distinct random starting points. */
final class KMeans {

  private KMeans() {}

  /** {@code k} unit-length centroids of unit-length {@code points}; empty clusters keep their start. */
  public static List<float[]> spherical(List<float[]> points, int k, int iterations,
      RandomGenerator random) {
    int n = points.size();
    int d = points.get(0).length;
    int[] pick = new int[n];
    for (int i = 0; i < n; i++) {
      pick[i] = i;
    }
    float[][] centroids = new float[k][];
    for (int c = 0; c < k; c++) {
      int j = c + random.nextInt(n - c);
      int t = pick[c];
      pick[c] = pick[j];
      pick[j] = t;
      centroids[c] = points.get(pick[c]).clone();
    }
    int[] assignment = new int[n];
    for (int iteration = 0; iteration < iterations; iteration++) {
      for (int i = 0; i < n; i++) {
        float[] p = points.get(i);
        double best = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
          double s = Vectors.dot(p, centroids[c]);
          if (s > best) {
            best = s;
            assignment[i] = c;
          }
        }
      }
      float[][] sums = new float[k][d];
      int[] sizes = new int[k];
      for (int i = 0; i < n; i++) {
        Vectors.axpy(1f, points.get(i), 0, sums[assignment[i]], 0, d);
        sizes[assignment[i]]++;
      }
      for (int c = 0; c < k; c++) {
        if (sizes[c] > 0) {
          centroids[c] = Vectors.normalize(sums[c]);
        }
      }
    }
    List<float[]> result = new ArrayList<>(k);
    for (float[] centroid : centroids) {
      result.add(centroid);
    }
    return result;
  }
}
