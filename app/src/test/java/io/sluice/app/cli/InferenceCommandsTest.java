package io.sluice.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.app.Sluice;
import io.sluice.runtime.cli.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class InferenceCommandsTest {

  @TempDir Path folder;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine commandLine = ExitCodes.configure(Sluice.commandLine());
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  private JsonNode lastJsonLine() throws Exception {
    String[] lines = out.toString().strip().split("\n");
    return new ObjectMapper().readTree(lines[lines.length - 1]);
  }

  @Test
  void bothCommandsAreRegisteredWithAnExampleInTheirHelp() {
    assertThat(run("eval", "clinc150", "--help")).isZero();
    assertThat(out.toString()).contains("Example:").contains("sluice eval clinc150 --train");
    assertThat(run("bench", "inference", "--help")).isZero();
    assertThat(out.toString()).contains("sluice bench inference");
  }

  @Test
  void benchReportsEveryFigureBesideTheBaseline() throws Exception {
    Path chart = folder.resolve("charts/bench.png");

    int code = run("bench", "inference", "--count", "40", "--single", "5", "--rounds", "1",
        "--chart", chart.toString(), "--json");

    assertThat(code).isZero();
    JsonNode report = lastJsonLine();
    assertThat(report.get("sentences_per_s").asDouble()).isPositive();
    assertThat(report.get("single_sentences_per_s").asDouble()).isPositive();
    assertThat(report.get("langchain4j_sentences_per_s").asDouble()).isPositive();
    assertThat(report.get("peak_rss_mb").asDouble()).isPositive();
    assertThat(err.toString()).doesNotContain("Baseline absent");
    assertThat(chart).exists();
  }

  @Test
  void evaluatesATinyIntentDataSetEndToEnd() throws Exception {
    writeTinyDataSet(folder);

    int code = run("eval", "clinc150", "--train", folder.toString(), "--test",
        folder.toString(), "--json");

    assertThat(code).as(err.toString()).isZero();
    JsonNode report = lastJsonLine();
    for (String key : List.of("in_scope_accuracy", "oos_recall", "coverage_at_98",
        "local_accuracy_at_98", "oos_kept_local_at_98", "train_seconds",
        "test_sentences_per_s")) {
      assertThat(report.has(key)).as(key).isTrue();
    }
    assertThat(report.get("in_scope_accuracy").asDouble()).isGreaterThan(0.6);
    assertThat(report.get("mode").asText()).contains("cross-calibrated");
  }

  @Test
  void aMissingTrainingFileIsBadInput() {
    assertThat(run("eval", "clinc150", "--train", folder.toString(), "--test",
        folder.toString())).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("train.jsonl");
  }

  /** Three made-up intents, with validation and out-of-scope files. */
  static void writeTinyDataSet(Path dir) throws Exception {
    String[][] intents = {
        {"weather", "what is the weather like", "will it rain today", "is it cold outside",
            "how hot will it be tomorrow", "do i need an umbrella", "forecast for the weekend",
            "is it going to snow", "how windy is it", "weather report please",
            "will it be sunny", "temperature outside now", "is there a storm coming"},
        {"alarm", "set an alarm for 7", "wake me up at six", "alarm for tomorrow morning",
            "cancel my alarm", "set a wake up call", "remind me at 8 am with an alarm",
            "turn off the alarm", "alarm in ten minutes", "change my alarm to 9",
            "new alarm please", "snooze the alarm", "set two alarms"},
        {"music", "play some jazz", "put on my playlist", "play the next song",
            "turn the music up", "play something relaxing", "i want to hear rock music",
            "shuffle my songs", "play the radio", "stop the music", "who sings this song",
            "play music by the beatles", "skip this track"}};
    List<String> train = new ArrayList<>();
    List<String> val = new ArrayList<>();
    for (String[] intent : intents) {
      for (int i = 1; i < intent.length; i++) {
        String line = "{\"text\": \"" + intent[i] + "\", \"label\": \"" + intent[0] + "\"}";
        (i % 3 == 0 ? val : train).add(line);
      }
    }
    Files.write(dir.resolve("train.jsonl"), train);
    Files.write(dir.resolve("val.jsonl"), val);
    Files.write(dir.resolve("oos_train.jsonl"), List.of(
        "{\"text\": \"how do i bake bread\", \"label\": \"oos\"}",
        "{\"text\": \"what is the capital of peru\", \"label\": \"oos\"}"));
    Files.write(dir.resolve("oos_val.jsonl"), List.of(
        "{\"text\": \"book a table for two\", \"label\": \"oos\"}",
        "{\"text\": \"how many legs does a spider have\", \"label\": \"oos\"}"));
  }
}
