package io.sluice.inference.internal.heads;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a classifier has been taught, with each text's vector, so retraining after new
 * feedback (or after a restart, via {@link HeadCodec}) does not run the encoder again. Immutable:
 * {@link #plus} returns a new store.
 *
 * @param labels labels in the order the head outputs them (first seen first)
 * @param examples training examples
 * @param calibration held-aside examples (may be empty)
 * @param outOfScope vectors of texts known to belong to no label
 */
public record TrainingStore(List<String> labels, List<Entry> examples, List<Entry> calibration,
    List<Entry> outOfScope) {

  /** A text, its label (null for out-of-scope texts) and its vector. */
  public record Entry(String text, String label, float[] vector) {}

  public TrainingStore {
    labels = List.copyOf(labels);
    examples = List.copyOf(examples);
    calibration = List.copyOf(calibration);
    outOfScope = List.copyOf(outOfScope);
  }

  public static TrainingStore of(List<Entry> examples, List<Entry> calibration,
      List<Entry> outOfScope) {
    Map<String, Boolean> order = new LinkedHashMap<>();
    examples.forEach(e -> order.put(e.label(), true));
    return new TrainingStore(new ArrayList<>(order.keySet()), examples, calibration, outOfScope);
  }

  /** This store with more examples; new labels are appended to the label order. */
  public TrainingStore plus(List<Entry> more) {
    List<String> newLabels = new ArrayList<>(labels);
    more.forEach(e -> {
      if (!newLabels.contains(e.label())) {
        newLabels.add(e.label());
      }
    });
    List<Entry> all = new ArrayList<>(examples);
    all.addAll(more);
    return new TrainingStore(newLabels, all, calibration, outOfScope);
  }

  /** Whether the calibration examples cover every label (else the trainer cross-fits). */
  public boolean calibrationCoversLabels() {
    if (calibration.isEmpty()) {
      return false;
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    calibration.forEach(e -> seen.add(e.label()));
    return seen.containsAll(labels);
  }

  public HeadTrainer.Examples trainingExamples() {
    return toExamples(examples);
  }

  public HeadTrainer.Examples calibrationExamples() {
    return toExamples(calibration);
  }

  public float[][] outOfScopeVectors() {
    return outOfScope.stream().map(Entry::vector).toArray(float[][]::new);
  }

  private HeadTrainer.Examples toExamples(List<Entry> entries) {
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      index.put(labels.get(i), i);
    }
    float[][] vectors = new float[entries.size()][];
    int[] targets = new int[entries.size()];
    for (int i = 0; i < entries.size(); i++) {
      vectors[i] = entries.get(i).vector();
      targets[i] = index.getOrDefault(entries.get(i).label(), -1);
    }
    return new HeadTrainer.Examples(vectors, targets);
  }
}
