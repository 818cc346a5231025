package io.sluice.inference.internal.heads;

import io.sluice.inference.HeadKind;
import java.util.List;

/**
 * A trained classification head: label scores ({@link LogitModel}), a temperature that calibrates
 * them, and a novelty scorer over energy and neighbour distance. Immutable, so a classifier swaps
 * heads by replacing one reference.
 */
public final class Head {

  /** What the head says about one vector; {@code label} indexes {@link #labels()}. */
  public record Scores(int label, double confidence, double novelty, boolean novel,
      double rawNovelty, int[] top, double[] topConfidence) {}

  /** How many of the most likely labels {@link Scores#top} holds, best first. */
  public static final int TOP = 3;

  private final HeadKind kind;
  private final List<String> labels;
  private final LogitModel model;
  private final NeighbourBank bank;
  private final double temperature;
  private final NoveltyScorer novelty;
  private final int examples;
  private final int calibrationExamples;

  public Head(HeadKind kind, List<String> labels, LogitModel model, NeighbourBank bank,
      double temperature, NoveltyScorer novelty, int examples, int calibrationExamples) {
    if (model.labels() != labels.size()) {
      throw new IllegalArgumentException("A head over " + labels.size() + " labels with a model "
          + "of " + model.labels());
    }
    this.kind = kind;
    this.labels = List.copyOf(labels);
    this.model = model;
    this.bank = bank;
    this.temperature = temperature;
    this.novelty = novelty;
    this.examples = examples;
    this.calibrationExamples = calibrationExamples;
  }

  public Scores score(float[] vector) {
    float[] logits = model.logits(vector);
    int best = Vectors.argmax(logits);
    double normalizer = 0;
    for (float z : logits) {
      normalizer += Math.exp((z - logits[best]) / temperature);
    }
    double raw = novelty.raw(-Vectors.logSumExp(logits), bank.distance(vector));
    int k = Math.min(TOP, logits.length);
    int[] top = new int[k];
    double[] topConfidence = new double[k];
    boolean[] taken = new boolean[logits.length];
    for (int r = 0; r < k; r++) {
      int at = -1;
      for (int i = 0; i < logits.length; i++) {
        if (!taken[i] && (at < 0 || logits[i] > logits[at])) {
          at = i;
        }
      }
      taken[at] = true;
      top[r] = at;
      topConfidence[r] = Math.exp((logits[at] - logits[best]) / temperature) / normalizer;
    }
    return new Scores(best, 1.0 / normalizer, novelty.percentile(raw), novelty.isNovel(raw), raw,
        top, topConfidence);
  }

  public HeadKind kind() {
    return kind;
  }

  public List<String> labels() {
    return labels;
  }

  public LogitModel model() {
    return model;
  }

  public NeighbourBank bank() {
    return bank;
  }

  public double temperature() {
    return temperature;
  }

  public NoveltyScorer novelty() {
    return novelty;
  }

  public int examples() {
    return examples;
  }

  public int calibrationExamples() {
    return calibrationExamples;
  }
}
