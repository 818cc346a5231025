package io.sluice.inference.internal.heads;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Reference points of the known labels, for a distance-based novelty score: a text far from all
 * of them is unlike anything the head was taught.
 *
 * <p>Keeping every training vector is costly at inference time (15,000 x 384 multiply-adds per
 * text for CLINC150) and, measured on CLINC150 val, no better: each label is summarized by up to
 * {@code perLabel} spherical k-means centroids of its examples (all of them when it has fewer).
 * The distance is one minus the mean cosine of the {@code neighbours} nearest points. Points are
 * stored feature-major so the similarities of a text to all of them are {@code y += a * x} loops.
 */
final class NeighbourBank {

  private final float[] points;
  private final float[] byFeature;
  private final int dimension;
  private final int count;
  private final int neighbours;

  public NeighbourBank(float[] points, int dimension, int neighbours) {
    this.points = points;
    this.dimension = dimension;
    this.count = points.length / dimension;
    this.neighbours = Math.max(1, Math.min(neighbours, count));
    this.byFeature = new float[points.length];
    for (int p = 0; p < count; p++) {
      for (int d = 0; d < dimension; d++) {
        byFeature[d * count + p] = points[p * dimension + d];
      }
    }
  }

  /** Summarizes each label's vectors by at most {@code perLabel} centroids. */
  public static NeighbourBank build(float[][] vectors, int[] targets, int labels, int perLabel,
      int neighbours, RandomGenerator random) {
    int d = vectors[0].length;
    List<List<float[]>> byLabel = new ArrayList<>();
    for (int c = 0; c < labels; c++) {
      byLabel.add(new ArrayList<>());
    }
    for (int i = 0; i < vectors.length; i++) {
      byLabel.get(targets[i]).add(vectors[i]);
    }
    List<float[]> bank = new ArrayList<>();
    int smallest = Integer.MAX_VALUE;
    for (List<float[]> members : byLabel) {
      if (members.isEmpty()) {
        continue;
      }
      List<float[]> centroids = members.size() <= perLabel ? members
          : KMeans.spherical(members, perLabel, 10, random);
      bank.addAll(centroids);
      smallest = Math.min(smallest, centroids.size());
    }
    float[] flat = new float[bank.size() * d];
    for (int i = 0; i < bank.size(); i++) {
      System.arraycopy(bank.get(i), 0, flat, i * d, d);
    }
    // A label with a single point would always be its own only neighbour; use fewer neighbours.
    int k = smallest < neighbours ? 1 : neighbours;
    return new NeighbourBank(flat, d, k);
  }

  /** One minus the mean cosine of the nearest points; 0 means on top of a known example. */
  public double distance(float[] vector) {
    float[] similarities = new float[count];
    Vectors.addTimes(vector, byFeature, count, similarities);
    float[] best = new float[neighbours];
    java.util.Arrays.fill(best, -2f);
    for (float similarity : similarities) {
      if (similarity > best[neighbours - 1]) {
        int i = neighbours - 1;
        while (i > 0 && best[i - 1] < similarity) {
          best[i] = best[i - 1];
          i--;
        }
        best[i] = similarity;
      }
    }
    double sum = 0;
    for (float b : best) {
      sum += b;
    }
    return 1.0 - sum / neighbours;
  }

  public float[] points() {
    return points;
  }

  public int dimension() {
    return dimension;
  }

  public int neighbours() {
    return neighbours;
  }

  public int size() {
    return count;
  }
}
