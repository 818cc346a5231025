package io.sluice.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextClassifierTest extends EncoderFixture {

  static final List<LabelDefinition> LABELS = List.of(
      new LabelDefinition("electrical", "electrical faults: breakers, fuses, wiring, power loss",
          List.of("breaker tripped on line 3", "fuse blown in the control cabinet",
              "no power to the conveyor motor", "burnt smell from the wiring harness")),
      new LabelDefinition("mechanical", "mechanical wear: bearings, belts, leaks, vibration",
          List.of("bearing noise on pump 7", "drive belt slipping on the fan",
              "oil leak under the gearbox", "excessive vibration on the mixer shaft")),
      new LabelDefinition("safety", "safety incidents and hazards on the shop floor",
          List.of("guard removed from the press", "slippery floor near the wash bay",
              "emergency stop button not working", "operator cut hand on sharp edge")));

  @TempDir Path folder;

  private static TextClassifier classifier(SimpleMeterRegistry meters) {
    return TextClassifier.create(encoder, ClassifierSettings.DEFAULT, Ticker.system(), meters);
  }

  @Test
  void learnsLabelsFromAFewExamplesAndDescriptions() {
    try (TextClassifier classifier = classifier(registry)) {
      HeadInfo head = classifier.train(TrainingData.fromLabels(LABELS));

      assertThat(head.kind()).isEqualTo(HeadKind.PROTOTYPE);
      assertThat(head.labels()).containsExactly("electrical", "mechanical", "safety");
      List<Prediction> predictions = classifier.classify(List.of(
          "the main breaker keeps tripping", "loud grinding from the pump bearing",
          "someone removed the safety guard"));
      assertThat(predictions).extracting(Prediction::label)
          .containsExactly("electrical", "mechanical", "safety");
      Prediction first = predictions.get(0);
      assertThat(first.confidence()).isBetween(0.0, 1.0);
      assertThat(first.model()).isEqualTo("all-minilm-l6-v2-q");
      assertThat(first.modelVersion()).isEqualTo("1.0.0");
      assertThat(first.tokens()).isGreaterThan(2);
    }
  }

  @Test
  void scoresUnrelatedTextsAsMoreNovelThanParaphrases() {
    try (TextClassifier classifier = classifier(registry)) {
      classifier.train(TrainingData.fromLabels(LABELS));

      Prediction paraphrase = classifier.classify("fuse blew in the control cabinet again");
      Prediction unrelated = classifier.classify("what is a good recipe for banana bread");

      assertThat(unrelated.novelty()).isGreaterThan(paraphrase.novelty());
      assertThat(unrelated.novel()).isTrue();
      assertThat(paraphrase.novel()).isFalse();
    }
  }

  @Test
  void calibratesNoveltyEvenWithASingleExampleALabel() {
    try (TextClassifier classifier = classifier(registry)) {
      classifier.train(TrainingData.of(List.of(
          new LabelledText("the circuit breaker tripped", "electrical"),
          new LabelledText("the pump bearing is worn", "mechanical"),
          new LabelledText("a worker slipped on the wet floor", "safety"))));

      Prediction paraphrase = classifier.classify("breaker tripped again");
      Prediction unrelated = classifier.classify("what is a good recipe for banana bread");

      assertThat(paraphrase.label()).isEqualTo("electrical");
      assertThat(paraphrase.novel()).isFalse();
      assertThat(unrelated.novel()).isTrue();
    }
  }

  @Test
  void learnsANewLabelFromFeedbackInTheBackgroundAndSwapsTheHead() throws Exception {
    try (TextClassifier classifier = classifier(registry)) {
      long first = classifier.train(TrainingData.fromLabels(LABELS)).version();

      CompletableFuture<HeadInfo> learned = classifier.learn(List.of(
          new LabelledText("hydraulic pressure dropping on the press", "hydraulics"),
          new LabelledText("hydraulic hose burst, fluid on floor", "hydraulics"),
          new LabelledText("hydraulic pump overheating", "hydraulics")));
      // Serving goes on while the head learns.
      assertThat(classifier.classify("fuse blown").label()).isEqualTo("electrical");
      HeadInfo head = learned.get(60, TimeUnit.SECONDS);

      assertThat(head.version()).isGreaterThan(first);
      assertThat(head.labels()).contains("hydraulics");
      assertThat(classifier.classify("hydraulic oil pressure is low").label())
          .isEqualTo("hydraulics");
      assertThat(classifier.head().orElseThrow().version()).isEqualTo(head.version());
    }
  }

  @Test
  void aSoftmaxHeadStaysSoftmaxWhenFeedbackBringsALabelWithFewExamples() throws Exception {
    // Four examples and a description a label: enough for softmax at this setting.
    ClassifierSettings settings = new ClassifierSettings(HeadKind.AUTO, 4, 0.95, 10, 3e-3, 8, 3,
        3, 100, 42L);
    try (TextClassifier classifier = TextClassifier.create(encoder, settings, Ticker.system(),
        registry)) {
      assertThat(classifier.train(TrainingData.fromLabels(LABELS)).kind())
          .isEqualTo(HeadKind.SOFTMAX);

      HeadInfo head = classifier.learn(List.of(
          new LabelledText("hydraulic pressure dropping on the press", "hydraulics"),
          new LabelledText("hydraulic hose burst, fluid on floor", "hydraulics")))
          .get(60, TimeUnit.SECONDS);

      // Two examples of the new label alone would make AUTO pick prototypes for every label.
      assertThat(head.kind()).isEqualTo(HeadKind.SOFTMAX);
      assertThat(head.labels()).containsExactly("electrical", "mechanical", "safety",
          "hydraulics");
      assertThat(classifier.classify("the breaker tripped again").label())
          .isEqualTo("electrical");
    }
  }

  @Test
  void savesAndLoadsAHeadThatAnswersTheSame() {
    Path file = folder.resolve("heads/maintenance.head");
    List<String> texts = List.of("breaker tripped", "belt slipping", "guard missing",
        "tell me a joke");
    List<Prediction> before;
    try (TextClassifier classifier = classifier(registry)) {
      classifier.train(TrainingData.fromLabels(LABELS));
      before = classifier.classify(texts);
      classifier.save(file);
    }
    try (TextClassifier restored = classifier(registry)) {
      HeadInfo head = restored.load(file);

      assertThat(head.labels()).containsExactly("electrical", "mechanical", "safety");
      List<Prediction> after = restored.classify(texts);
      for (int i = 0; i < texts.size(); i++) {
        assertThat(after.get(i).label()).isEqualTo(before.get(i).label());
        assertThat(after.get(i).confidence()).isEqualTo(before.get(i).confidence());
        assertThat(after.get(i).novelty()).isEqualTo(before.get(i).novelty());
      }
      // What it was taught came along: it can keep learning.
      assertThat(restored.learn(List.of(new LabelledText("fuse tripped", "electrical")))
          .join().examples()).isEqualTo(head.examples() + 1);
    }
  }

  @Test
  void answersRepeatedTextsFromTheCache() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (TextClassifier classifier = classifier(meters)) {
      classifier.train(TrainingData.fromLabels(LABELS));
      // The encoder counts the texts it runs in its own registry.
      double modelTexts = registry.get(InferenceMeter.TEXTS.meterName()).counter().count();

      classifier.classify(List.of("Breaker tripped  on line 9"));
      classifier.classify(List.of("breaker tripped on line 9 "));

      assertThat(meters.get(InferenceMeter.CACHE_HITS.meterName()).counter().count())
          .isEqualTo(1.0);
      assertThat(registry.get(InferenceMeter.TEXTS.meterName()).counter().count())
          .isEqualTo(modelTexts + 1);
    }
  }

  @Test
  void classifiesThroughTheDynamicBatcherLikeTheSynchronousApi() {
    try (TextClassifier classifier = classifier(registry)) {
      classifier.train(TrainingData.fromLabels(LABELS));
      List<String> texts = List.of("oil leaking from gearbox", "circuit breaker trip",
          "hand injury at the press", "pump bearing is noisy");

      List<Prediction> async = texts.stream().map(classifier::classifyAsync)
          .map(CompletableFuture::join).toList();

      assertThat(async).extracting(Prediction::label)
          .containsExactly("mechanical", "electrical", "safety", "mechanical");
      assertThat(async.get(0).confidence())
          .isEqualTo(classifier.classify(texts.get(0)).confidence());
    }
  }

  @Test
  void refusesToClassifyBeforeTrainingAndToLoadAnotherModelsHead() throws Exception {
    try (TextClassifier classifier = classifier(registry)) {
      assertThatThrownBy(() -> classifier.classify("anything"))
          .isInstanceOf(InferenceException.class)
          .hasMessageContaining("no head yet");
      assertThat(classifier.classifyAsync("anything")).isCompletedExceptionally();
      assertThat(classifier.learn(List.of(new LabelledText("x", "y"))))
          .isCompletedExceptionally();
      assertThatThrownBy(() -> classifier.load(folder.resolve("missing.head")))
          .isInstanceOf(InferenceException.class)
          .hasMessageContaining("missing.head");
    }
  }
}
