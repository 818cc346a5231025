package io.sluice.inference;

import java.util.ArrayList;
import java.util.List;

/**
 * How a {@link TextClassifier} trains and serves. Defaults are in {@link #DEFAULT} and documented
 * in docs/inference.md.
 *
 * @param head which head to train
 * @param minExamplesForSoftmax with {@link HeadKind#AUTO}: every label needs this many examples
 *     for a softmax head, else prototypes are used
 * @param inScopeKept share of known texts that must not be flagged novel (sets the threshold)
 * @param epochs softmax training passes over the examples
 * @param learningRate Adam step size of softmax training
 * @param centroidsPerLabel reference points a label keeps for the distance novelty signal
 * @param neighbours how many nearest reference points the distance averages
 * @param calibrationFolds folds for cross-fitting when no calibration texts are given
 * @param cacheSize how many texts' vectors the result cache keeps (0 = no cache)
 * @param seed seeds shuffling, k-means and folds, so training is repeatable
 */
public record ClassifierSettings(HeadKind head, int minExamplesForSoftmax, double inScopeKept,
    int epochs, double learningRate, int centroidsPerLabel, int neighbours, int calibrationFolds,
    int cacheSize, long seed) {

  public static final ClassifierSettings DEFAULT =
      new ClassifierSettings(HeadKind.AUTO, 10, 0.95, 10, 3e-3, 8, 3, 5, 10_000, 42L);

  public ClassifierSettings {
    List<String> problems = new ArrayList<>();
    if (head == null) {
      problems.add("head is missing");
    }
    if (minExamplesForSoftmax < 1) {
      problems.add("minExamplesForSoftmax must be at least 1, got " + minExamplesForSoftmax);
    }
    if (!(inScopeKept > 0 && inScopeKept <= 1)) {
      problems.add("inScopeKept must be in (0, 1], got " + inScopeKept);
    }
    if (epochs < 1) {
      problems.add("epochs must be at least 1, got " + epochs);
    }
    if (!(learningRate > 0)) {
      problems.add("learningRate must be positive, got " + learningRate);
    }
    if (centroidsPerLabel < 1) {
      problems.add("centroidsPerLabel must be at least 1, got " + centroidsPerLabel);
    }
    if (neighbours < 1) {
      problems.add("neighbours must be at least 1, got " + neighbours);
    }
    if (calibrationFolds < 2) {
      problems.add("calibrationFolds must be at least 2, got " + calibrationFolds);
    }
    if (cacheSize < 0) {
      problems.add("cacheSize must be zero or more, got " + cacheSize);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid classifier settings: "
          + String.join("; ", problems));
    }
  }

  public ClassifierSettings withHead(HeadKind newHead) {
    return new ClassifierSettings(newHead, minExamplesForSoftmax, inScopeKept, epochs,
        learningRate, centroidsPerLabel, neighbours, calibrationFolds, cacheSize, seed);
  }

  public ClassifierSettings withCacheSize(int newCacheSize) {
    return new ClassifierSettings(head, minExamplesForSoftmax, inScopeKept, epochs, learningRate,
        centroidsPerLabel, neighbours, calibrationFolds, newCacheSize, seed);
  }

  public ClassifierSettings withInScopeKept(double newInScopeKept) {
    return new ClassifierSettings(head, minExamplesForSoftmax, newInScopeKept, epochs,
        learningRate, centroidsPerLabel, neighbours, calibrationFolds, cacheSize, seed);
  }
}
