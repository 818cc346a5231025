package io.sluice.topology.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.inference.generate.EngineSettings;
import io.sluice.schemas.DeadLetter;
import io.sluice.schemas.Generated;
import io.sluice.schemas.InferenceResult;
import io.sluice.topology.TopologyError;
import io.sluice.topology.TopologyException;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.testing.KeywordTextModels;
import io.sluice.topology.testing.OpenDecoders;
import io.sluice.topology.testing.PipelineTestDriver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generate step in a pipeline, on the tiny test decoder of {@code ../shared/models} (skipped
 * when it is absent): free text that equals the model's golden greedy output, JSON that conforms
 * to the inline schema and that routing reads, label sets, prompts too long for the model, and
 * the loader's errors.
 */
class GenerateStepTest {

  static final ObjectMapper JSON = new ObjectMapper();

  Path shared;
  OpenDecoders decoders;

  @BeforeEach
  void decoder() {
    shared = Path.of(System.getProperty("sluice.shared.dir", "../../shared"), "models");
    assumeTrue(Files.isRegularFile(shared.resolve("tiny-decoder/model.onnx")),
        "Skipped: the tiny decoder is absent (needs ../shared/models)");
    decoders = new OpenDecoders(EngineSettings.defaults());
  }

  @AfterEach
  void close() {
    if (decoders != null) {
      decoders.close();
    }
  }

  static String topology(String generate, String route) {
    return """
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: line-2}
        models:
          decoder: {bundle: tiny-decoder, threads: 1}
        sources:
          - {name: orders, mqtt: {topic: "p/+/orders"}, schema: TextEvent}
        pipelines:
          - name: orders
            from: orders
            steps:
              - generate:
        %s
            route:
        %s
            inference: {maxBatch: 8, maxWait: 50ms}
        """.formatted(generate.indent(10).stripTrailing(), route.indent(6).stripTrailing());
  }

  PipelineTestDriver driver(String yaml) {
    return PipelineTestDriver.of(yaml, KeywordTextModels.factory(), decoders, shared);
  }

  @Test
  void freeTextIsTheModelsGreedyContinuation() {
    String yaml = topology("""
        model: decoder
        prompt: {id: echo, version: "1", template: "{{text}}"}
        maxNewTokens: 24
        """, "- {to: local}");
    try (PipelineTestDriver driver = driver(yaml)) {
      driver.pipe("orders", "m1", "{\"eventId\":\"a\",\"text\":\"check the\"}");
      driver.pipe("orders", "m1", "{\"eventId\":\"b\",\"text\":\"set an alarm for\"}");
      driver.advanceWallClockTime(Duration.ofMillis(100));

      List<InferenceResult> results = driver.results();
      assertThat(results).extracting(InferenceResult::getEventId).containsExactly("a", "b");
      Generated a = results.get(0).getGeneration();
      // golden.json: greedy_fp32 [505,552,501,343,534,293,0], decoded " next song we be played"
      assertThat(a.getText()).isEqualTo(" next song we be played");
      assertThat(a.getCompletionTokens()).isEqualTo(7);
      assertThat(a.getPromptTokens()).isEqualTo(2);
      assertThat(a.getFinishReason()).isEqualTo("stop");
      assertThat(a.getValid()).isTrue();
      assertThat(a.getJson()).isNull();
      assertThat(a.getPromptId()).isEqualTo("echo");
      assertThat(results.get(1).getGeneration().getText()).isEqualTo(" 6am");
      assertThat(driver.registry().get("sluice.generate.records").tag("outcome", "valid")
          .counter().count()).isEqualTo(2);
    }
  }

  @Test
  void jsonOutputConformsToTheSchemaAndRoutingReadsIt() throws Exception {
    String yaml = topology("""
        model: decoder
        prompt:
          id: work-order
          version: "3"
          template: "Work order: {{text}}\\nJSON:"
        schema:
          type: object
          properties:
            urgency: {enum: [low, high]}
            asset: {type: string, maxLength: 12}
          required: [urgency, asset]
          additionalProperties: false
        maxNewTokens: 40
        """, """
        - {when: restricted, to: local}
        - {when: "not generate.valid", to: cloud}
        - {when: "generate.urgency == 'high'", to: review}
        - {to: local}
        """);
    List<String> texts = List.of("replace hydraulic pump", "engine oil leak", "pump seal",
        "check the air filter", "what is my account balance");
    try (PipelineTestDriver driver = driver(yaml)) {
      for (int i = 0; i < texts.size(); i++) {
        driver.pipe("orders", "m1", "{\"eventId\":\"e" + i + "\",\"text\":\"" + texts.get(i)
            + "\"}");
      }
      driver.advanceWallClockTime(Duration.ofMillis(100));

      assertThat(driver.forwarded()).isEmpty();
      List<InferenceResult> local = driver.results();
      List<InferenceResult> review = driver.review();
      List<InferenceResult> all = new java.util.ArrayList<>(local);
      all.addAll(review);
      assertThat(all).hasSize(texts.size());
      for (InferenceResult r : all) {
        Generated g = r.getGeneration();
        assertThat(g.getValid()).as(g.getText()).isTrue();
        JsonNode json = JSON.readTree(g.getJson());
        assertThat(json.get("urgency").asText()).isIn("low", "high");
        assertThat(json.get("asset").asText().length()).isLessThanOrEqualTo(12);
        assertThat(JSON.readTree(g.getText())).isEqualTo(json);
        assertThat(g.getPromptVersion()).isEqualTo("3");
      }
      for (InferenceResult r : review) {
        assertThat(JSON.readTree(r.getGeneration().getJson()).get("urgency").asText())
            .isEqualTo("high");
      }
      for (InferenceResult r : local) {
        assertThat(JSON.readTree(r.getGeneration().getJson()).get("urgency").asText())
            .isEqualTo("low");
      }
    }
  }

  @Test
  void aLabelSetGivesOneOfItsLabels() {
    String yaml = topology("""
        model: decoder
        prompt: {id: kind, version: "1", template: "Order: {{text}}\\nKind:"}
        labels: [mechanical, electrical, other]
        """, "- {to: local}");
    try (PipelineTestDriver driver = driver(yaml)) {
      driver.pipe("orders", "m1", "{\"eventId\":\"a\",\"text\":\"replace hydraulic pump\"}");
      driver.pipe("orders", "m1", "{\"eventId\":\"b\",\"text\":\"fuse blown\"}");
      driver.advanceWallClockTime(Duration.ofMillis(100));

      assertThat(driver.results()).hasSize(2).allSatisfy(r -> {
        assertThat(r.getGeneration().getText()).isIn("mechanical", "electrical", "other");
        assertThat(r.getGeneration().getConfidence()).isBetween(0.0, 1.0);
        assertThat(r.getGeneration().getJson()).contains("\"label\"");
      });
    }
  }

  @Test
  void aPromptTooLongIsCutAndFlaggedOrSentToTheDeadLetterTopic() {
    String words = "pump ".repeat(400).strip();
    String cut = topology("""
        model: decoder
        prompt: {id: echo, version: "1", template: "Note: {{text}}\\nSummary:"}
        maxNewTokens: 16
        """, """
        - {when: generate.truncated, to: review}
        - {to: local}
        """);
    try (PipelineTestDriver driver = driver(cut)) {
      driver.pipe("orders", "m1", "{\"eventId\":\"long\",\"text\":\"" + words + "\"}");
      driver.pipe("orders", "m1", "{\"eventId\":\"short\",\"text\":\"pump seal\"}");
      driver.advanceWallClockTime(Duration.ofMillis(100));

      List<InferenceResult> review = driver.review();
      assertThat(review).extracting(InferenceResult::getEventId).containsExactly("long");
      Generated g = review.get(0).getGeneration();
      assertThat(g.getTruncated()).isTrue();
      assertThat(g.getPromptTokens() + 16).isLessThanOrEqualTo(256);
      List<InferenceResult> results = driver.results();
      assertThat(results).extracting(InferenceResult::getEventId).containsExactly("short");
      assertThat(results.get(0).getGeneration().getTruncated()).isFalse();
    }
    String dlq = cut.replace("maxNewTokens: 16", "maxNewTokens: 16\n          tooLong: dlq");
    try (PipelineTestDriver driver = driver(dlq)) {
      String payload = "{\"eventId\":\"long\",\"text\":\"" + words + "\"}";
      driver.pipe("orders", "m1", payload);
      driver.pipe("orders", "m1", "{\"eventId\":\"short\",\"text\":\"pump seal\"}");
      driver.advanceWallClockTime(Duration.ofMillis(100));

      assertThat(driver.results()).extracting(InferenceResult::getEventId)
          .containsExactly("short");
      List<DeadLetter> dead = driver.deadLetters();
      assertThat(dead).hasSize(1);
      assertThat(dead.get(0).getReason()).contains("generate:", "tokens", "256 positions");
      assertThat(dead.get(0).getHeaders()).containsEntry("eventId", "long");
      assertThat(StandardCharsets.UTF_8.decode(dead.get(0).getRaw()).toString())
          .isEqualTo(payload);
    }
  }

  @Test
  void theLoaderNamesTheLineOfEachMistake(@TempDir Path dir) throws Exception {
    Path noTokenizer = Files.createDirectories(dir.resolve("bare"));
    Files.writeString(noTokenizer.resolve("config.json"), "{}");
    String yaml = """
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: line-2}
        models:
          bare: {bundle: bare, allowUnsigned: true}
          enc: {bundle: "classpath:all-minilm-l6-v2-q"}
        sources:
          - {name: s1, mqtt: {topic: "p/+/s1"}, schema: TextEvent}
          - {name: s2, mqtt: {topic: "p/+/s2"}, schema: TextEvent}
          - {name: s3, mqtt: {topic: "p/+/s3"}, schema: TextEvent}
          - {name: s4, mqtt: {topic: "p/+/s4"}, schema: TextEvent}
          - {name: s5, mqtt: {topic: "p/+/s5"}, schema: TextEvent}
        pipelines:
          - name: p1
            from: s1
            steps:
              - generate:
                  model: bare
                  prompt: {id: p, version: "1", template: "{{text}} on {{payload.line}}"}
                  labels: [a, b]
          - name: p2
            from: s2
            steps:
              - generate:
                  model: enc
                  prompt: {id: p, version: "1", template: "{{text}} {{label}}"}
          - name: p3
            from: s3
            steps:
              - generate:
                  model: bare
                  prompt: {id: p, version: "1", template: "{{txt}}"}
          - name: p4
            from: s4
            steps:
              - generate:
                  model: bare
                  prompt: {id: p, version: "1", template: "{{text}}"}
                  schema: {type: string, pattern: "^[a-z]+$"}
          - name: p5
            from: s5
            steps:
              - generate:
                  model: bare
                  prompt: {id: p, version: "1", template: "{{text}}"}
                  schema: {type: object, properties: {a: {type: string, minLength: 30}},
                           required: [a]}
                  maxNewTokens: 8
        """;
    // Shape mistakes are reported first, all together; checks across steps and models run on a
    // file whose shapes are right.
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, yaml);
    assertThat(errors(file)).satisfiesExactlyInAnyOrder(
        err -> {
          assertThat(err.message()).contains("unknown field 'txt'");
          assertThat(err.line()).isEqualTo(32);
        },
        err -> {
          assertThat(err.message()).contains("cannot be enforced", "pattern");
          assertThat(err.line()).isEqualTo(39);
        },
        err -> {
          assertThat(err.message()).contains("shortest output needs", "maxNewTokens is 8");
          assertThat(err.line()).isEqualTo(48);
        });
    int p3 = yaml.indexOf("  - name: p3");
    Files.writeString(file, yaml.substring(0, p3));
    assertThat(errors(file)).satisfiesExactlyInAnyOrder(
        err -> {
          assertThat(err.message()).contains("labels need the model's tokenizer",
              "no tokenizer.json");
          assertThat(err.line()).isEqualTo(18);
        },
        err -> {
          assertThat(err.message()).contains("{{label}}", "no classify step");
          assertThat(err.line()).isEqualTo(25);
        },
        err -> {
          assertThat(err.message()).contains("an encoder", "needs a decoder");
          assertThat(err.line()).isEqualTo(25);
        });
  }

  static List<TopologyError> errors(Path file) {
    try {
      new TopologyLoader(name -> null).load(file);
    } catch (TopologyException e) {
      return e.errors();
    }
    throw new AssertionError("expected " + file + " to be refused");
  }

  @Test
  void routeRulesReadGenerateFieldsWithTheirTypes() {
    String yaml = topology("""
        model: decoder
        prompt: {id: echo, version: "1", template: "{{text}}"}
        """, """
        - {when: restricted, to: local}
        - {when: "generate.confidence > 1", to: cloud}
        - {when: "generate.valid and generate.finishReason == 'stop'", to: review}
        - {to: local}
        """);
    try (PipelineTestDriver driver = driver(yaml)) {
      driver.pipe("orders", "m1", "{\"eventId\":\"a\",\"text\":\"check the\"}");
      driver.advanceWallClockTime(Duration.ofMillis(100));
      assertThat(driver.review()).extracting(InferenceResult::getEventId).containsExactly("a");
      assertThat(driver.forwarded()).isEmpty();
    }
    assertThatThrownBy(() -> new TopologyLoader(name -> null).parse(yaml.replace(
        "generate.confidence > 1", "generate.valid > 1"), "t.yaml"))
        .isInstanceOf(TopologyException.class);
  }
}
