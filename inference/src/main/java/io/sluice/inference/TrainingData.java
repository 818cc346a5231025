package io.sluice.inference;

import java.util.ArrayList;
import java.util.List;

/**
 * What a classification head learns from.
 *
 * @param examples labelled texts the head is trained on
 * @param calibration labelled texts held aside for the temperature and the novelty threshold;
 *     when empty, the trainer holds examples aside itself (k-fold cross-fitting)
 * @param outOfScope texts known to belong to no label (for example CLINC150's {@code oos}); they
 *     are never taught as a label, only used to weigh the novelty signals
 */
public record TrainingData(List<LabelledText> examples, List<LabelledText> calibration,
    List<String> outOfScope) {

  public TrainingData {
    examples = List.copyOf(examples);
    calibration = calibration == null ? List.of() : List.copyOf(calibration);
    outOfScope = outOfScope == null ? List.of() : List.copyOf(outOfScope);
    if (examples.isEmpty()) {
      throw new IllegalArgumentException("Training needs at least one example");
    }
  }

  public static TrainingData of(List<LabelledText> examples) {
    return new TrainingData(examples, List.of(), List.of());
  }

  /** Examples from label definitions (descriptions count as examples). */
  public static TrainingData fromLabels(List<LabelDefinition> labels) {
    List<LabelledText> examples = new ArrayList<>();
    labels.forEach(label -> examples.addAll(label.asExamples()));
    return of(examples);
  }

  public TrainingData withCalibration(List<LabelledText> newCalibration) {
    return new TrainingData(examples, newCalibration, outOfScope);
  }

  public TrainingData withOutOfScope(List<String> newOutOfScope) {
    return new TrainingData(examples, calibration, newOutOfScope);
  }
}
