package io.sluice.lab.eval.learning;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.lab.eval.learning.ForwardTimeline.Observation;
import io.sluice.runtime.FeedbackLearner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearningLoopOutputTest {

  @TempDir Path folder;

  /** Twenty records; the first head forwards every withheld one, the second none. */
  private static LearningLoopReplay.Report report(boolean learn) {
    List<Observation> observations = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      boolean withheld = i % 5 == 0;
      long head = learn && i >= 10 ? 2 : 1;
      observations.add(new Observation(i, i * 100L, "intent-" + (i % 5), withheld, true,
          withheld && head == 1, "intent-" + (i % 5), head));
    }
    ForwardTimeline timeline = new ForwardTimeline(observations, 5);
    long start = 1_000_000;
    List<FeedbackLearner.Lesson> lessons = learn ? List.of(new FeedbackLearner.Lesson("requests",
        List.of(new FeedbackLearner.Taught("replay-000000", "intent-0",
            Instant.ofEpochMilli(start + 200))), Instant.ofEpochMilli(start + 950), 2))
        : List.of();
    var options = new LearningLoopReplay.Options(Path.of("data"), 1, 10, 20, 5, 30, 7,
        new LoopRig.Settings("classpath:a", "classpath:b", 0.7, 0.5, learn));
    return new LearningLoopReplay.Report(options, List.of("intent-0"), 4, 120, 150,
        timeline.figures(), timeline.windows(), lessons, start, 4, 4, 0, 12.5, 2.0,
        new LoopRig.ResolverFigures(9, 3, 2, 900, 40, 3, 1, "openai:big"), 0);
  }

  @Test
  void jsonHoldsTheFiguresTheIssueAsksFor() {
    Map<String, Object> json = LearningLoopOutput.json(report(true));

    assertThat(json).containsEntry("records", 20).containsEntry("missing", 0)
        .containsEntry("forward_rate_before_feedback", 0.2)
        .containsEntry("forward_rate_after_feedback", 0.0)
        .containsEntry("withheld_forwarded_early", 1.0)
        .containsEntry("withheld_forwarded_late", 0.0)
        .containsEntry("local_accuracy", 1.0)
        .containsEntry("feedback_received", 4L)
        .containsEntry("feedback_learned", 1)
        .containsEntry("heads_learned", 1L)
        .containsEntry("learning_latency_p50_ms", 750L)
        .containsEntry("learn", true)
        .containsEntry("resolver_calls", 9L)
        .containsEntry("resolver_retries", 3L)
        .containsEntry("resolver_errors", 2L)
        .containsEntry("resolver_prompt_tokens", 900L)
        .containsEntry("resolver_completion_tokens", 40L)
        .containsEntry("reviewed", 1L)
        .containsEntry("cloud_unanswered", 0L)
        .containsEntry("cloud_model", "openai:big");
  }

  @Test
  void csvHasAWindowPerLineForEachRun() throws Exception {
    Path csv = folder.resolve("out/loop.csv");

    LearningLoopOutput.writeCsv(List.of(report(false), report(true)), csv);

    List<String> lines = Files.readAllLines(csv);
    assertThat(lines.get(0)).isEqualTo(LearningLoopOutput.CSV_HEADER);
    assertThat(lines).hasSize(1 + 4 + 4);
    assertThat(lines.get(1)).startsWith("no-learning,0,0,0.0,0.4,5,1,0.2000,1,1,1.0000,0.0000,4,");
    assertThat(lines.get(8)).startsWith("learning,3,15,");
    assertThat(lines.get(8)).endsWith(",2");
  }

  @Test
  void chartIsAPng() throws Exception {
    Path png = folder.resolve("loop.png");

    LearningLoopOutput.writeChart(report(true), report(false), png);

    byte[] bytes = Files.readAllBytes(png);
    assertThat(bytes.length).isGreaterThan(1000);
    assertThat(new String(bytes, 1, 3, java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("PNG");
  }
}
