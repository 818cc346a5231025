package io.sluice.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.inference.internal.NoMeters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** A softmax head on ten CLINC150 intents: accurate, calibrated, and wary of unknown requests. */
class ClincSliceTest {

  @Test
  void aSoftmaxHeadOnTenIntentsIsAccurateCalibratedAndFlagsUnknownRequests() {
    Path clinc = SharedData.require("clinc150");
    List<SharedData.Example> train = SharedData.jsonLines(clinc.resolve("train.jsonl"));
    Set<String> intents = new TreeSet<>();
    train.forEach(e -> intents.add(e.label()));
    Set<String> ten = new TreeSet<>(new ArrayList<>(intents).subList(0, 10));
    List<LabelledText> examples = train.stream().filter(e -> ten.contains(e.label()))
        .map(e -> new LabelledText(e.text(), e.label())).toList();
    List<LabelledText> val = SharedData.jsonLines(clinc.resolve("val.jsonl")).stream()
        .filter(e -> ten.contains(e.label())).map(e -> new LabelledText(e.text(), e.label()))
        .toList();
    List<LabelledText> calibration = new ArrayList<>();
    List<LabelledText> test = new ArrayList<>();
    for (int i = 0; i < val.size(); i++) {
      (i % 2 == 0 ? calibration : test).add(val.get(i));
    }
    List<String> unknown = SharedData.jsonLines(clinc.resolve("oos_val.jsonl")).stream()
        .map(SharedData.Example::text).toList();

    try (TextEncoder encoder = TextEncoder.open(ModelBundle.load(ModelBundle.DEFAULT));
        TextClassifier classifier = TextClassifier.create(encoder, ClassifierSettings.DEFAULT,
            Ticker.system(), NoMeters.registry())) {
      HeadInfo head = classifier.train(TrainingData.of(examples).withCalibration(calibration));
      List<Prediction> predictions = classifier.classify(test.stream()
          .map(LabelledText::text).toList());
      List<Prediction> unknownPredictions = classifier.classify(unknown);

      assertThat(head.kind()).isEqualTo(HeadKind.SOFTMAX);
      int correct = 0;
      double confidence = 0;
      for (int i = 0; i < test.size(); i++) {
        correct += predictions.get(i).label().equals(test.get(i).label()) ? 1 : 0;
        confidence += predictions.get(i).confidence();
      }
      double accuracy = (double) correct / test.size();
      assertThat(accuracy).isGreaterThan(0.9);
      assertThat(confidence / test.size()).isCloseTo(accuracy,
          org.assertj.core.data.Offset.offset(0.08));
      long flagged = unknownPredictions.stream().filter(Prediction::novel).count();
      long knownFlagged = predictions.stream().filter(Prediction::novel).count();
      assertThat((double) flagged / unknown.size()).isGreaterThan(0.6);
      assertThat((double) knownFlagged / test.size()).isLessThan(0.15);
    }
  }
}
