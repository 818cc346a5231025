package io.sluice.lab.eval.learning;

import static io.sluice.runtime.resolve.ScriptedOpenAiServer.Fault.NONE;
import static io.sluice.runtime.resolve.ScriptedOpenAiServer.Fault.NOT_JSON;
import static io.sluice.runtime.resolve.ScriptedOpenAiServer.Fault.RATE_LIMITED;
import static io.sluice.runtime.resolve.ScriptedOpenAiServer.Fault.SERVER_ERROR;
import static io.sluice.runtime.resolve.ScriptedOpenAiServer.Fault.SLOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.inference.LabelledText;
import io.sluice.runtime.resolve.ScriptedOpenAiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learning loop with the cloud resolving over HTTP ({@code --cloud-topology} with a model of
 * kind openai) against a server that fails on cue: the first request's reply is not JSON twice
 * (that record goes to review), then a 429, a 500 and a reply slower than the timeout. Every
 * forwarded record is answered, as a verdict or in review, and the gateway learns the verdicts.
 */
class LearningLoopResolverIT {

  private static final String MODEL = "classpath:all-minilm-l6-v2-q";

  @TempDir Path work;

  @Test
  void theGatewayLearnsFromAnLlmResolverThroughItsFaults() throws Exception {
    List<LabelledText> gatewayTraining = LearningLoopIT.labelled(LearningLoopIT.KNOWN);
    List<LabelledText> cloudTraining = new ArrayList<>(gatewayTraining);
    LearningLoopIT.HYDRAULIC_TEACHING.forEach(t -> cloudTraining.add(
        new LabelledText(t, "hydraulic")));
    new ReplayData(List.of("hydraulic"), gatewayTraining, cloudTraining, List.of())
        .writeTrainingFiles(work);
    try (ScriptedOpenAiServer server = ScriptedOpenAiServer.start(
        new ScriptedOpenAiServer.Settings(5, 3_000, 0,
            ScriptedOpenAiServer.script(List.of(NOT_JSON, NOT_JSON, RATE_LIMITED, SERVER_ERROR,
                SLOW, NONE)),
            text -> text.contains("hydraulic") ? "hydraulic" : "electrical"))) {
      Path topology = work.resolve("cloud-openai.yaml");
      Files.writeString(topology, """
          apiVersion: sluice/v1
          kind: Cloud
          metadata: {name: anything}
          models:
            llm: {kind: openai, baseUrl: "%s", model: scripted, timeout: 1s, maxRetries: 5,
                  maxConcurrency: 1}
          resolve:
            from: elsewhere.forward
            classify:
              model: llm
              labels: {these: [are replaced], by: [the data set]}
            feedbackMinConfidence: 0.5
          """.formatted(server.baseUrl()));
      LoopRig.Settings settings = new LoopRig.Settings(MODEL, MODEL, 0.7, 0.0, true, topology);
      try (LoopRig rig = LoopRig.start(settings, work, Clock.systemUTC())) {
        assertThat(rig.remoteResolver()).isTrue();
        List<String> ids = LearningLoopIT.publish(rig, "n-", LearningLoopIT.HYDRAULIC_NOTES);
        assertThat(rig.awaitOutcomes(ids, Duration.ofSeconds(60))).isTrue();
        long forwarded = ids.stream().filter(id -> rig.outcome(id).orElseThrow().forwarded())
            .count();
        assertThat(forwarded).isGreaterThanOrEqualTo(2);
        assertThat(rig.awaitCloudAnswered(forwarded, Duration.ofSeconds(60))).isTrue();
        LoopRig.ResolverFigures f = rig.resolverFigures();
        assertThat(f.reviewed()).isEqualTo(1);
        assertThat(f.resolved()).isEqualTo(rig.cloudAccepted() - 1);
        assertThat(f.retries()).isGreaterThanOrEqualTo(4);
        assertThat(f.promptTokens()).isPositive();
        // The labels the server saw are the data set's, not the file's.
        assertThat(server.bodies().get(0).path("response_format").path("json_schema")
            .path("schema").path("properties").path("label").path("enum").toString())
            .contains("hydraulic").doesNotContain("these");
        await().atMost(Duration.ofSeconds(60)).until(() -> rig.lessons().stream()
            .mapToLong(l -> l.taught().size()).sum() >= f.resolved());
        assertThat(rig.lessons()).flatMap(l -> l.taught())
            .allSatisfy(t -> assertThat(t.label()).isEqualTo("hydraulic"));
      }
    }
  }
}
