package io.sluice.lab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.inference.generate.LabelScores;
import io.sluice.runtime.cli.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EvalLabelScoringCommandTest {

  private static LabelScores scores(double confidence, int best) {
    double[] p = {best == 0 ? confidence : 1 - confidence, best == 1 ? confidence : 1 - confidence};
    return new LabelScores(List.of("a", "b"), new double[2], new int[] {1, 1}, p, best);
  }

  /** Two examples at confidence 0.9, one right: |0.9 - 0.5| = 0.4; accuracy 0.5. */
  @Test
  void calibrationErrorIsTheGapBetweenConfidenceAndAccuracy() {
    EvalLabelScoringCommand.Metrics m = EvalLabelScoringCommand.metrics("x",
        List.of(scores(0.9, 0), scores(0.9, 0)), List.of("a", "b"));
    assertThat(m.accuracy()).isEqualTo(0.5);
    assertThat(m.ece()).isCloseTo(0.4, within(1e-12));
    assertThat(m.meanConfidence()).isCloseTo(0.9, within(1e-12));
    assertThat(m.nll()).isCloseTo(-(Math.log(0.9) + Math.log(0.1)) / 2, within(1e-12));
  }

  @Test
  void reportsRawAndFittedCalibrations() throws Exception {
    Path shared = Path.of(System.getProperty("sluice.shared.dir", "../shared"));
    assumeTrue(Files.isRegularFile(shared.resolve("models/tiny-decoder/model.onnx"))
        && Files.isRegularFile(shared.resolve("data/clinc150/val.jsonl")),
        "Skipped: ../shared models or data are absent");
    StringWriter out = new StringWriter();
    CommandLine cli = ExitCodes.configure(new CommandLine(new EvalLabelScoringCommand()));
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(new StringWriter()));
    int exit = cli.execute("--bundle", shared.resolve("models/tiny-decoder").toString(),
        "--data", shared.resolve("data/clinc150").toString(), "--fit-per-label", "2",
        "--test-per-label", "2", "--threads", "1", "--json");
    assertThat(exit).isZero();
    String[] lines = out.toString().strip().split("\n");
    JsonNode result = new ObjectMapper().readTree(lines[lines.length - 1]);
    assertThat(result.get("labels").asInt()).isEqualTo(15);
    assertThat(result.get("test_examples").asInt()).isEqualTo(30);
    assertThat(result.get("results")).hasSize(3);
    JsonNode raw = result.get("results").get(0);
    JsonNode fitted = result.get("results").get(1);
    assertThat(fitted.get("accuracy").asDouble()).isEqualTo(raw.get("accuracy").asDouble());
    assertThat(fitted.get("nll").asDouble()).isLessThanOrEqualTo(raw.get("nll").asDouble());
  }

  @Test
  void unknownDomainIsAUsageError() {
    Path shared = Path.of(System.getProperty("sluice.shared.dir", "../shared"));
    assumeTrue(Files.isRegularFile(shared.resolve("data/clinc150/domains.json")),
        "Skipped: ../shared/data is absent");
    StringWriter err = new StringWriter();
    CommandLine cli = ExitCodes.configure(new CommandLine(new EvalLabelScoringCommand()));
    cli.setErr(new PrintWriter(err));
    cli.setOut(new PrintWriter(new StringWriter()));
    int exit = cli.execute("--data", shared.resolve("data/clinc150").toString(),
        "--bundle", shared.resolve("models/tiny-decoder").toString(), "--domain", "weather");
    assertThat(exit).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("unknown --domain 'weather'").contains("banking");
  }
}
