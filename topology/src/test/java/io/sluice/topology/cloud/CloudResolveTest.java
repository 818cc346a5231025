package io.sluice.topology.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.operators.cloud.Resolution;
import io.sluice.operators.cloud.ResolveProcessor;
import io.sluice.operators.cloud.Resolver;
import io.sluice.operators.infer.TextModel;
import io.sluice.schemas.ForwardReason;
import io.sluice.schemas.ForwardedRecord;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.RecordKind;
import io.sluice.topology.TextModels;
import io.sluice.topology.TopologyError;
import io.sluice.topology.TopologyException;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.Model;
import io.sluice.topology.spec.OpenAiModel;
import io.sluice.topology.spec.Step;
import io.sluice.topology.testing.PipelineTestDriver;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The cloud's resolve operator on a remote model: asynchronous, bounded, nothing lost. */
class CloudResolveTest {

  static final String CLOUD = """
      apiVersion: sluice/v1
      kind: Cloud
      metadata: {name: cloud}
      models:
        llm:
          kind: openai
          baseUrl: http://localhost:9/v1
          model: big-model
          apiKey: ${KEY}
          maxConcurrency: 2
      resolve:
        from: sluice.forward
        classify:
          model: llm
          labels:
            electrical: {description: electrical faults, examples: [breaker tripped]}
            hydraulic: {description: leaks and pumps, examples: [hose leaking]}
        feedbackMinConfidence: 0.8
      """;

  /** A resolver whose calls the test completes by hand. */
  static final class HandResolver implements Resolver {
    final List<String> texts = new ArrayList<>();
    final List<CompletableFuture<Resolution>> calls = new ArrayList<>();
    final int limit;
    OpenAiModel api;

    HandResolver(int limit) {
      this.limit = limit;
    }

    @Override
    public String name() {
      return "llm";
    }

    @Override
    public String version() {
      return "big-model";
    }

    @Override
    public int maxInFlight() {
      return limit;
    }

    @Override
    public CompletableFuture<Resolution> resolve(String text) {
      texts.add(text);
      CompletableFuture<Resolution> call = new CompletableFuture<>();
      calls.add(call);
      return call;
    }
  }

  static TextModels with(HandResolver resolver) {
    return new TextModels() {
      @Override
      public TextModel create(Model model, Step.Classify classify, Path baseDir) {
        throw new AssertionError("an openai model must not be loaded as a local one");
      }

      @Override
      public Resolver resolver(Model model, Step.Classify classify, Path baseDir) {
        resolver.api = model.openai().orElseThrow();
        assertThat(classify.labels()).containsOnlyKeys("electrical", "hydraulic");
        return resolver;
      }
    };
  }

  static PipelineTestDriver driver(HandResolver resolver) {
    return PipelineTestDriver.of(CLOUD.replace("${KEY}", "sk-test"), with(resolver));
  }

  static ForwardedRecord forwarded(String eventId, String text) {
    InferenceResult result = InferenceResult.newBuilder()
        .setEventId(eventId).setSource("notes").setDeviceId("press-1")
        .setTimestamp(Instant.parse("2026-12-07T10:00:00Z")).setKind(RecordKind.TEXT)
        .setText(text).setRoute("cloud").setLabel("electrical").setConfidence(0.4)
        .setFields(List.of()).build();
    return ForwardedRecord.newBuilder().setEventId(eventId).setSource("notes")
        .setGateway("line-1").setReason(ForwardReason.LOW_CONFIDENCE).setResult(result)
        .setPayload(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)))
        .setForwardedAt(Instant.parse("2026-12-07T10:00:01Z")).build();
  }

  @Test
  void verdictsLeaveAsCallsCompleteInAnyOrderAndNoneIsWaitedOn() {
    HandResolver resolver = new HandResolver(8);
    try (PipelineTestDriver driver = driver(resolver)) {
      for (int i = 0; i < 3; i++) {
        driver.pipeForwarded(forwarded("e" + i, "note " + i));
      }
      assertThat(resolver.texts).containsExactly("note 0", "note 1", "note 2");
      assertThat(driver.verdicts()).isEmpty();

      resolver.calls.get(2).complete(new Resolution.Labelled("hydraulic", 0.95));
      resolver.calls.get(0).complete(new Resolution.Labelled("electrical", 0.5));
      driver.advanceWallClockTime(Duration.ofMillis(50));
      List<InferenceResult> first = driver.verdicts();
      assertThat(first).extracting(InferenceResult::getEventId).containsExactly("e0", "e2");
      assertThat(first).extracting(InferenceResult::getLabel)
          .containsExactly("electrical", "hydraulic");
      assertThat(first.get(0).getModel().getName()).isEqualTo("llm");
      // Only the confident verdict teaches the gateway.
      assertThat(driver.feedback()).extracting(f -> f.getEventId()).containsExactly("e2");

      resolver.calls.get(1).complete(new Resolution.Labelled("hydraulic", 0.9));
      driver.advanceWallClockTime(Duration.ofMillis(50));
      assertThat(driver.verdicts()).extracting(InferenceResult::getEventId).containsExactly("e1");
      assertThat(driver.review()).isEmpty();
    }
  }

  @Test
  void whatTheResolverCannotLabelGoesToReviewWithItsReason() {
    HandResolver resolver = new HandResolver(8);
    try (PipelineTestDriver driver = driver(resolver)) {
      driver.pipeForwarded(forwarded("e1", "gibberish"));
      resolver.calls.get(0).complete(new Resolution.Unresolved(
          "contract: the reply is not JSON (asked twice)"));
      driver.advanceWallClockTime(Duration.ofMillis(50));
      assertThat(driver.verdicts()).isEmpty();
      assertThat(driver.feedback()).isEmpty();
      List<InferenceResult> review = driver.review();
      assertThat(review).hasSize(1);
      assertThat(review.get(0).getRoute()).isEqualTo("review");
      assertThat(review.get(0).getAttributes().get(ResolveProcessor.REVIEW_REASON))
          .isEqualTo("contract: the reply is not JSON (asked twice)");
      // What the gateway made of it stays, for the reviewer.
      assertThat(review.get(0).getLabel()).isEqualTo("electrical");
    }
  }

  @Test
  void callsInFlightStayWithinTheResolversLimitAndTheRestWaitInOrder() {
    HandResolver resolver = new HandResolver(2);
    try (PipelineTestDriver driver = driver(resolver)) {
      for (int i = 0; i < 5; i++) {
        driver.pipeForwarded(forwarded("e" + i, "note " + i));
      }
      assertThat(resolver.texts).containsExactly("note 0", "note 1");
      resolver.calls.get(1).complete(new Resolution.Labelled("electrical", 0.9));
      driver.advanceWallClockTime(Duration.ofMillis(50));
      assertThat(resolver.texts).containsExactly("note 0", "note 1", "note 2");
      resolver.calls.forEach(c -> c.complete(new Resolution.Labelled("electrical", 0.9)));
      for (int round = 0; round < 3; round++) {
        driver.advanceWallClockTime(Duration.ofMillis(50));
        resolver.calls.forEach(c -> c.complete(new Resolution.Labelled("electrical", 0.9)));
      }
      driver.advanceWallClockTime(Duration.ofMillis(50));
      assertThat(resolver.texts).hasSize(5);
      List<String> all = new ArrayList<>();
      driver.verdicts().forEach(v -> all.add(v.getEventId()));
      assertThat(all).containsExactlyInAnyOrder("e1", "e0", "e2", "e3", "e4");
    }
  }

  @Test
  void theOpenAiSettingsReachTheResolverAndTheKeyIsNeverPrinted() {
    HandResolver resolver = new HandResolver(2);
    try (PipelineTestDriver driver = driver(resolver)) {
      assertThat(resolver.api.baseUrl().toString()).isEqualTo("http://localhost:9/v1");
      assertThat(resolver.api.model()).isEqualTo("big-model");
      assertThat(resolver.api.maxConcurrency()).isEqualTo(2);
      assertThat(resolver.api.apiKey()).contains("sk-test");
      assertThat(resolver.api.toString()).doesNotContain("sk-test");
      assertThat(driver.spec().models().get("llm").toString()).doesNotContain("sk-test");
    }
  }

  @Test
  void loaderNamesWhatIsWrongWithAnOpenAiModel() {
    TopologyLoader loader = new TopologyLoader(Map.of("KEY", "sk-x")::get);
    List<TopologyError> missing = errors(loader, CLOUD.replace(
        "    baseUrl: http://localhost:9/v1\n", ""));
    assertThat(missing).extracting(TopologyError::message)
        .anyMatch(m -> m.contains("a model of kind openai needs baseUrl"));
    List<TopologyError> mixed = errors(loader, CLOUD.replace("maxConcurrency: 2",
        "maxConcurrency: 2\n    threads: 4"));
    assertThat(mixed).extracting(TopologyError::message)
        .anyMatch(m -> m.contains("field 'threads' belongs to models of kind onnx"));
    List<TopologyError> onnx = errors(loader, CLOUD.replace("kind: openai", "kind: onnx"));
    assertThat(onnx).extracting(TopologyError::message)
        .anyMatch(m -> m.contains("missing required field 'bundle'"));
    assertThat(onnx).extracting(TopologyError::message)
        .anyMatch(m -> m.contains("field 'baseUrl' belongs to models of kind openai"));
  }

  static final String GATEWAY = """
      apiVersion: sluice/v1
      kind: Gateway
      metadata: {name: line-1}
      models:
        llm: {kind: openai, baseUrl: "http://localhost:9/v1", model: m, maxConcurrency: 4}
      sources:
        - {name: notes, mqtt: {topic: "p/+/notes"}, schema: TextEvent}
      pipelines:
        - name: triage
          from: notes
          steps:
            - classify: {model: llm, labels: {electrical: [breaker], hydraulic: [hose leak]}}
          route:
            - {when: restricted, to: local}
            - {when: "confidence < 0.5", to: review}
            - {to: local}
      """;

  @Test
  void aGatewayClassifiesOverHttpAndRoutesWhatItCouldNotLabel() {
    HandResolver resolver = new HandResolver(8);
    TextModels models = new TextModels() {
      @Override
      public TextModel create(Model model, Step.Classify classify, Path baseDir) {
        throw new AssertionError("an openai model must not be loaded as a local one");
      }

      @Override
      public Resolver resolver(Model model, Step.Classify classify, Path baseDir) {
        return resolver;
      }
    };
    try (PipelineTestDriver driver = PipelineTestDriver.of(GATEWAY, models)) {
      driver.pipe("notes", "press-1", "{\"eventId\": \"g1\", \"text\": \"hose leak\"}");
      driver.pipe("notes", "press-2", "{\"eventId\": \"g2\", \"text\": \"mystery\"}");
      assertThat(resolver.texts).containsExactly("hose leak", "mystery");
      assertThat(driver.results()).isEmpty();
      resolver.calls.get(0).complete(new Resolution.Labelled("hydraulic", 0.93));
      resolver.calls.get(1).complete(new Resolution.Unresolved("unavailable: server after 5"
          + " attempts (HTTP 503)"));
      driver.advanceWallClockTime(Duration.ofMillis(50));
      List<InferenceResult> local = driver.results();
      assertThat(local).extracting(InferenceResult::getEventId).containsExactly("g1");
      assertThat(local.get(0).getLabel()).isEqualTo("hydraulic");
      List<InferenceResult> review = driver.review();
      assertThat(review).extracting(InferenceResult::getEventId).containsExactly("g2");
      assertThat(review.get(0).getLabel()).isNull();
      assertThat(review.get(0).getConfidence()).isZero();
      assertThat(review.get(0).getAttributes().get(ResolveProcessor.REVIEW_REASON))
          .isEqualTo("unavailable: server after 5 attempts (HTTP 503); route rule 2:"
              + " confidence < 0.5");
    }
  }

  @Test
  void onlyClassifyRunsAnOpenAiModelAndNotBesideNovelty() {
    TopologyLoader loader = new TopologyLoader(Map.of("KEY", "sk-x")::get);
    List<TopologyError> extract = errors(loader, GATEWAY.replace(
        "- classify: {model: llm, labels: {electrical: [breaker], hydraulic: [hose leak]}}",
        "- extract: {model: llm, trainFile: t.json}"));
    assertThat(extract).extracting(TopologyError::message)
        .anyMatch(m -> m.contains("model 'llm' is of kind openai, and step 'extract' runs"
            + " local models only"));
    List<TopologyError> novelty = errors(loader, GATEWAY.replace(
        "hydraulic: [hose leak]}}", "hydraulic: [hose leak]}}\n      - novelty: {model: llm}"));
    assertThat(novelty).extracting(TopologyError::message)
        .anyMatch(m -> m.startsWith("novelty needs the classify step's embeddings"));
    assertThat(novelty.get(0).line()).isEqualTo(13);
  }

  private static List<TopologyError> errors(TopologyLoader loader, String yaml) {
    try {
      loader.parse(yaml, "cloud.yaml");
    } catch (TopologyException e) {
      return e.errors();
    }
    throw new AssertionError("expected errors");
  }
}
