package io.sluice.topology.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.schemas.ExtractedField;
import io.sluice.schemas.InferenceResult;
import io.sluice.topology.EntityModels;
import io.sluice.topology.testing.KeywordTextModels;
import io.sluice.topology.TopologyException;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.testing.PipelineTestDriver;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A step kind that only this test knows ({@link StampKind}) validates, runs and appears in the
 * generated JSON Schema after one registration line, with no change to the loader, the builder
 * or the format.
 */
class StepKindRegistrationTest {

  /** The one registration line. */
  private static final StepKinds KINDS = StepKinds.builtIn().with(new StampKind());

  /** A gateway whose pipeline redacts, then runs the steps given, one per line (line 11 on). */
  private static String topology(String... steps) {
    StringBuilder yaml = new StringBuilder(String.join("\n",
        "apiVersion: sluice/v1",
        "kind: Gateway",
        "metadata: {name: line-7}",
        "sources:",
        "  - {name: notes, mqtt: {topic: \"plant/+/notes\"}, schema: TextEvent}",
        "pipelines:",
        "  - name: triage",
        "    from: notes",
        "    route: [{to: local}]",
        "    steps:",
        "      - redact: {patterns: [email]}"));
    for (String step : steps) {
      yaml.append("\n      - ").append(step);
    }
    return yaml.append("\n").toString();
  }

  @Test
  void aRegisteredKindRunsInAPipeline() {
    String yaml = topology("stamp: {field: line, value: \"7\"}");
    try (PipelineTestDriver driver =
        PipelineTestDriver.of(yaml, KeywordTextModels.factory(), EntityModels.none(), KINDS)) {
      driver.pipe("notes", "press-1", "{\"text\": \"mail ops@plant.example now\"}");
      List<InferenceResult> results = driver.results();
      assertThat(results).hasSize(1);
      assertThat(results.get(0).getText()).isEqualTo("mail [EMAIL] now");
      assertThat(results.get(0).getFields()).extracting(ExtractedField::getName,
          ExtractedField::getValue).containsExactly(org.assertj.core.groups.Tuple.tuple("line",
              "7"));
      assertThat(driver.registry().get("sluice.test.stamped").counter().count()).isEqualTo(1.0);
    }
  }

  @Test
  void itsShapeReportsEveryMistakeWithTheLine() {
    String yaml = topology("stamp: {field: Line, colour: red}");
    assertThat(errors(yaml)).containsExactlyInAnyOrder(
        "12: 'Line' is not a name of lower-case letters, digits and '-', starting with a letter",
        "12: unknown field 'colour' in StampStep");
  }

  @Test
  void itsCheckSeesTheStepsBeforeIt() {
    String yaml = topology("stamp: {field: line}", "stamp: {field: shift}");
    assertThat(errors(yaml)).containsExactly("13: a pipeline stamps once");
  }

  private static List<String> errors(String yaml) {
    try {
      new TopologyLoader(name -> null, KINDS).parse(yaml, "gw.yaml");
    } catch (TopologyException e) {
      return e.errors().stream().map(err -> err.line() + ": " + err.message()).toList();
    }
    throw new AssertionError("expected errors in\n" + yaml);
  }

  @Test
  void withoutTheRegistrationTheKindIsUnknown() {
    String yaml = topology("stamp: {field: line}");
    assertThatThrownBy(() -> new TopologyLoader(name -> null).parse(yaml, "gw.yaml"))
        .isInstanceOf(TopologyException.class)
        .hasMessageContaining("stamp");
  }

  @Test
  @SuppressWarnings("unchecked")
  void itAppearsInTheGeneratedSchema() {
    Map<String, Object> schema = TopologyLoader.jsonSchema(KINDS);
    Map<String, Object> definitions = (Map<String, Object>) (schema.containsKey("$defs")
        ? schema.get("$defs") : schema.get("definitions"));
    assertThat(definitions).containsKey("StampStep");
    assertThat(TopologyLoader.jsonSchema()).asString().doesNotContain("StampStep");
  }

  @Test
  void aNameOrTypeRegisteredTwiceIsRefused() {
    assertThatThrownBy(() -> KINDS.with(new StampKind()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stamp");
  }
}
