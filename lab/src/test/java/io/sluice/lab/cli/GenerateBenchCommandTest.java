package io.sluice.lab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runtime.cli.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code sluice bench generate} reports what it measured. Skipped without ../shared. */
class GenerateBenchCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path shared() {
    Path dir = Path.of(System.getProperty("sluice.shared.dir", "../shared"));
    assumeTrue(Files.isRegularFile(dir.resolve("models/tiny-decoder/model.onnx")),
        "Skipped: ../shared/models is absent");
    return dir;
  }

  private record Run(int exit, String out, String err) {
    JsonNode lastJson() throws Exception {
      String[] lines = out.strip().split("\n");
      return JSON.readTree(lines[lines.length - 1]);
    }
  }

  private static Run run(Object command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = ExitCodes.configure(new CommandLine(command));
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  /** A ticker that advances one second per reading makes every timed run last exactly 1 s. */
  @Test
  void benchReportsTokensPerSecondFromTheClock() throws Exception {
    Path shared = shared();
    GenerateBenchCommand bench = new GenerateBenchCommand();
    AtomicLong now = new AtomicLong();
    bench.nanoTime = () -> now.getAndAdd(1_000_000_000L);
    Run run = run(bench, "--bundle", shared.resolve("models/tiny-decoder").toString(),
        "--draft", shared.resolve("models/tiny-draft").toString(),
        "--data", shared.resolve("data").toString(),
        "--records", "3", "--new-tokens", "4", "--repeats", "2", "--threads", "1",
        "--chart", "none", "--json");
    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode result = run.lastJson();
    assertThat(result.get("results")).hasSize(7);
    for (JsonNode row : result.get("results")) {
      assertThat(row.get("median_seconds").asDouble()).isEqualTo(1.0);
      assertThat(row.get("tokens_per_s").asDouble()).isEqualTo(12.0);
    }
    assertThat(result.get("acceptance_rate").asDouble()).isBetween(0.0, 1.0);
    assertThat(result.get("draft_speedup").asDouble()).isEqualTo(1.0);
    assertThat(run.err()).contains("shared machine");
  }
}
