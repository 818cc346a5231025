package io.sluice.inference.internal.heads;

import io.sluice.inference.ClassifierSettings;
import io.sluice.inference.HeadKind;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Trains and calibrates a {@link Head} on sentence vectors.
 *
 * <p>Calibration (temperature, novelty weights and threshold) must see examples the head was not
 * trained on. With an explicit calibration set, those are used. Without one, examples are
 * cross-fitted: split into stratified folds, a head is trained on all folds but one and scores
 * the held-out fold, so every example with at least one sibling gets an out-of-sample score; the
 * head that serves is then trained on everything.
 */
public final class HeadTrainer {

  /** Labelled vectors; {@code targets[i]} indexes {@code labels}, or is -1 for an unknown label. */
  public record Examples(float[][] vectors, int[] targets) {
    public int size() {
      return vectors.length;
    }
  }

  private final ClassifierSettings settings;

  public HeadTrainer(ClassifierSettings settings) {
    this.settings = settings;
  }

  /** The kind {@link HeadKind#AUTO} resolves to for these per-label example counts. */
  public HeadKind resolve(int[] counts) {
    if (settings.head() != HeadKind.AUTO) {
      return settings.head();
    }
    for (int count : counts) {
      if (count < settings.minExamplesForSoftmax()) {
        return HeadKind.PROTOTYPE;
      }
    }
    return HeadKind.SOFTMAX;
  }

  /**
   * Trains a head.
   *
   * @param calibration held-aside in-scope examples, or {@code null} to cross-fit
   * @param outOfScope vectors of texts that belong to no label (may be empty)
   */
  public Head train(List<String> labels, Examples training, Examples calibration,
      float[][] outOfScope, RandomGenerator random) {
    int[] counts = new int[labels.size()];
    for (int target : training.targets()) {
      counts[target]++;
    }
    for (int c = 0; c < counts.length; c++) {
      if (counts[c] == 0) {
        throw new IllegalArgumentException("Label '" + labels.get(c) + "' has no examples");
      }
    }
    HeadKind kind = resolve(counts);
    LogitModel model = fit(kind, training, labels.size(), random);
    NeighbourBank bank = NeighbourBank.build(training.vectors(), training.targets(),
        labels.size(), settings.centroidsPerLabel(), settings.neighbours(), random);

    List<float[]> heldLogits = new ArrayList<>();
    List<Double> heldDistances = new ArrayList<>();
    List<Integer> heldTargets = new ArrayList<>();
    if (calibration != null && calibration.size() > 0) {
      for (int i = 0; i < calibration.size(); i++) {
        if (calibration.targets()[i] >= 0) {
          heldLogits.add(model.logits(calibration.vectors()[i]));
          heldDistances.add(bank.distance(calibration.vectors()[i]));
          heldTargets.add(calibration.targets()[i]);
        }
      }
    } else {
      crossFit(kind, labels.size(), training, random, heldLogits, heldDistances, heldTargets);
    }
    if (heldLogits.isEmpty()) {
      // No label has two examples, so none can be held aside and the scores of the training
      // examples themselves say nothing about new texts. Confidence stays uncalibrated
      // (temperature 1) and novelty uses distance alone, measured for each example against the
      // bank without it: how far apart the labels lie sets the threshold.
      double[] distance = new double[training.size()];
      for (int i = 0; i < training.size(); i++) {
        distance[i] = leaveOneOut(training, i, labels.size(), random)
            .distance(training.vectors()[i]);
      }
      return new Head(kind, labels, model, bank, 1.0,
          NoveltyScorer.distanceOnly(distance, settings.inScopeKept()), training.size(), 0);
    }
    int[] targets = heldTargets.stream().mapToInt(Integer::intValue).toArray();
    double temperature = Temperature.fit(heldLogits, targets);
    double[] energy = heldLogits.stream().mapToDouble(z -> -Vectors.logSumExp(z)).toArray();
    double[] distance = heldDistances.stream().mapToDouble(Double::doubleValue).toArray();
    double[] oosEnergy = new double[outOfScope.length];
    double[] oosDistance = new double[outOfScope.length];
    for (int i = 0; i < outOfScope.length; i++) {
      oosEnergy[i] = -Vectors.logSumExp(model.logits(outOfScope[i]));
      oosDistance[i] = bank.distance(outOfScope[i]);
    }
    NoveltyScorer novelty = NoveltyScorer.fit(energy, distance, oosEnergy, oosDistance,
        settings.inScopeKept());
    return new Head(kind, labels, model, bank, temperature, novelty, training.size(),
        heldLogits.size());
  }

  private NeighbourBank leaveOneOut(Examples training, int left, int labels,
      RandomGenerator random) {
    List<Integer> others = new ArrayList<>();
    for (int i = 0; i < training.size(); i++) {
      if (i != left) {
        others.add(i);
      }
    }
    if (others.isEmpty()) {
      return NeighbourBank.build(training.vectors(), training.targets(), labels,
          settings.centroidsPerLabel(), settings.neighbours(), random);
    }
    Examples subset = subset(training, others);
    return NeighbourBank.build(subset.vectors(), subset.targets(), labels,
        settings.centroidsPerLabel(), settings.neighbours(), random);
  }

  private LogitModel fit(HeadKind kind, Examples examples, int labels, RandomGenerator random) {
    if (kind == HeadKind.SOFTMAX) {
      return SoftmaxRegression.train(examples.vectors(), examples.targets(), labels,
          new SoftmaxRegression.Settings(settings.epochs(), 64, settings.learningRate(), 10f),
          random);
    }
    return Prototypes.fit(examples.vectors(), examples.targets(), labels);
  }

  private void crossFit(HeadKind kind, int labels, Examples training, RandomGenerator random,
      List<float[]> heldLogits, List<Double> heldDistances, List<Integer> heldTargets) {
    int folds = settings.calibrationFolds();
    int[] fold = assignFolds(training.targets(), labels, folds, random);
    for (int f = 0; f < folds; f++) {
      List<Integer> train = new ArrayList<>();
      List<Integer> held = new ArrayList<>();
      for (int i = 0; i < fold.length; i++) {
        (fold[i] == f ? held : train).add(i);
      }
      if (held.isEmpty()) {
        continue;
      }
      Examples subset = subset(training, train);
      LogitModel model = fit(kind, subset, labels, random);
      NeighbourBank bank = NeighbourBank.build(subset.vectors(), subset.targets(), labels,
          settings.centroidsPerLabel(), settings.neighbours(), random);
      for (int i : held) {
        heldLogits.add(model.logits(training.vectors()[i]));
        heldDistances.add(bank.distance(training.vectors()[i]));
        heldTargets.add(training.targets()[i]);
      }
    }
  }

  /**
   * Stratified folds: each label's examples are dealt round-robin in random order, and a label's
   * only example is never held out (fold -1), so every fold's head knows every label.
   */
  static int[] assignFolds(int[] targets, int labels, int folds, RandomGenerator random) {
    List<List<Integer>> byLabel = new ArrayList<>();
    for (int c = 0; c < labels; c++) {
      byLabel.add(new ArrayList<>());
    }
    for (int i = 0; i < targets.length; i++) {
      byLabel.get(targets[i]).add(i);
    }
    int[] fold = new int[targets.length];
    for (List<Integer> members : byLabel) {
      java.util.Collections.shuffle(members, new java.util.Random(random.nextLong()));
      for (int j = 0; j < members.size(); j++) {
        // Keep at least one example of the label in every fold's training part.
        fold[members.get(j)] = members.size() < 2 ? -1 : j % Math.min(folds, members.size());
      }
    }
    return fold;
  }

  private static Examples subset(Examples examples, List<Integer> rows) {
    float[][] vectors = new float[rows.size()][];
    int[] targets = new int[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      vectors[i] = examples.vectors()[rows.get(i)];
      targets[i] = examples.targets()[rows.get(i)];
    }
    return new Examples(vectors, targets);
  }
}
