package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.sluice.schemas.ExtractedField;
import io.sluice.schemas.ForwardReason;
import io.sluice.schemas.ForwardedRecord;
import io.sluice.schemas.InferenceResult;
import io.sluice.topology.testing.PipelineTestDriver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The extract step with an entity model: batching, fields, the summary field and routing. */
class ModelExtractionTest {

  static final String GATEWAY = """
      apiVersion: sluice/v1
      kind: Gateway
      metadata: {name: line-2}
      models:
        enc: {bundle: "classpath:all-minilm-l6-v2-q"}
      sources:
        - {name: orders, mqtt: {topic: "p/+/orders"}, schema: TextEvent}
      pipelines:
        - name: orders
          from: orders
          steps:
            - extract:
                patterns: [measurement]
                model: enc
                trainFile: train.json
                uncertainBelow: 0.5
          route:
            - {when: restricted, to: local}
            - {when: "fieldConfidence.extraction < 0.5", to: cloud}
            - {when: "fields.extraction == 'uncertain'", to: review}
            - {to: local}
          inference: {maxBatch: 3, maxWait: 50ms}
      """;

  final List<WordListEntityModel> models = new ArrayList<>();
  final EntityModels entities = WordListEntityModel.factory(models,
      Map.of("pump", "PhysicalObject", "replace", "Activity", "leaking", "State"));

  @Test
  void addsEntityFieldsBesidePatternFieldsAndASummary() {
    try (PipelineTestDriver driver = PipelineTestDriver.of(GATEWAY,
        KeywordModel.factory(new ArrayList<>()), entities)) {
      driver.pipe("orders", "m1", "{\"eventId\":\"a\",\"text\":\"replace pump at 3 bar\"}");
      driver.advanceWallClockTime(Duration.ofMillis(100));

      InferenceResult a = driver.results().get(0);
      assertThat(a.getFields()).extracting(ExtractedField::getName, ExtractedField::getValue)
          .containsExactly(
              tuple("measurement", "3 bar"),
              tuple("Activity", "replace"),
              tuple("PhysicalObject", "pump"),
              tuple("extraction", "certain"));
      ExtractedField pump = a.getFields().get(2);
      assertThat(pump.getStart()).isEqualTo(8);
      assertThat(pump.getEnd()).isEqualTo(12);
      assertThat(pump.getConfidence()).isEqualTo(0.9);
      assertThat(a.getFields().get(3).getConfidence()).isEqualTo(0.95);
    }
  }

  @Test
  void forwardsUncertainExtractionsWithTheirReason() {
    try (PipelineTestDriver driver = PipelineTestDriver.of(GATEWAY,
        KeywordModel.factory(new ArrayList<>()), entities)) {
      driver.pipe("orders", "m1", "{\"eventId\":\"sure\",\"text\":\"pump leaking\"}");
      driver.pipe("orders", "m1", "{\"eventId\":\"unsure\",\"text\":\"frobnicator ?\"}");
      driver.advanceWallClockTime(Duration.ofMillis(100));

      assertThat(driver.results()).extracting(InferenceResult::getEventId)
          .containsExactly("sure");
      List<ForwardedRecord> forwarded = driver.forwarded();
      assertThat(forwarded).singleElement().satisfies(f -> {
        assertThat(f.getEventId()).isEqualTo("unsure");
        assertThat(f.getReason()).isEqualTo(ForwardReason.UNCERTAIN_EXTRACTION);
      });
    }
  }

  @Test
  void batchesModelCallsBySizeAndTime() {
    try (PipelineTestDriver driver = PipelineTestDriver.of(GATEWAY,
        KeywordModel.factory(new ArrayList<>()), entities)) {
      WordListEntityModel model = models.get(0);
      driver.pipe("orders", "m1", "{\"text\":\"pump 1\"}");
      driver.pipe("orders", "m2", "{\"text\":\"pump 2\"}");
      assertThat(model.batches).isEmpty();
      driver.pipe("orders", "m1", "{\"text\":\"pump 3\"}");
      assertThat(model.batches).containsExactly(List.of("pump 1", "pump 2", "pump 3"));
      driver.pipe("orders", "m1", "{\"text\":\"pump 4\"}");
      driver.advanceWallClockTime(Duration.ofMillis(60));
      assertThat(model.batches).hasSize(2);
      assertThat(driver.results()).extracting(InferenceResult::getText)
          .containsExactly("pump 1", "pump 2", "pump 3", "pump 4");
      assertThat(driver.registry().find("sluice.infer.batch.size").tag("operator", "extract")
          .summary().count()).isEqualTo(2);
    }
  }

  @Test
  void aTopologyWithAnEntityModelNeedsARuntimeThatHasThem() {
    assertThatThrownBy(() -> PipelineTestDriver.of(GATEWAY,
        KeywordModel.factory(new ArrayList<>())))
        .isInstanceOf(TopologyException.class)
        .hasMessageContaining("entity model 'enc'");
  }

  @Test
  void rejectsModelSettingsWithoutAModelAndATrainedHeadWithoutData() {
    String noModel = GATEWAY.replaceAll("(?m)^ *model: enc\n", "");
    assertThatThrownBy(() -> PipelineTestDriver.of(noModel,
        KeywordModel.factory(new ArrayList<>()), entities))
        .isInstanceOf(TopologyException.class)
        .hasMessageContaining("'trainFile' needs a model");
    String noData = GATEWAY.replaceAll("(?m)^ *trainFile: train.json\n", "");
    assertThatThrownBy(() -> PipelineTestDriver.of(noData,
        KeywordModel.factory(new ArrayList<>()), entities))
        .isInstanceOf(TopologyException.class)
        .hasMessageContaining("needs trainFile");
    String clash = GATEWAY.replace("patterns: [measurement]",
        "gazetteers: {extraction: [pump]}");
    assertThatThrownBy(() -> PipelineTestDriver.of(clash,
        KeywordModel.factory(new ArrayList<>()), entities))
        .isInstanceOf(TopologyException.class)
        .hasMessageContaining("'extraction' is taken");
  }
}
