package io.sluice.lab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runtime.cli.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A tiny run of sluice bench admin: both modes answer, and the JSON and chart are written. */
class BenchAdminCommandTest {

  @TempDir Path dir;

  @Test
  void measuresHttpAndInProcessSideBySide() throws Exception {
    StringWriter out = new StringWriter();
    CommandLine cli = ExitCodes.configure(new CommandLine(new BenchAdminCommand()));
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(new StringWriter()));
    Path chart = dir.resolve("admin.png");

    int exit = cli.execute("--concurrency", "1,3", "--requests", "12", "--rounds", "1",
        "--chart", chart.toString(), "--json");

    assertThat(exit).isZero();
    String[] lines = out.toString().strip().split("\n");
    JsonNode report = new ObjectMapper().readTree(lines[lines.length - 1]);
    assertThat(report.get("results")).hasSize(4);
    for (JsonNode row : report.get("results")) {
      assertThat(row.get("requests_per_s").asDouble()).isPositive();
      assertThat(row.get("texts_per_model_call").asDouble()).isGreaterThanOrEqualTo(1.0);
    }
    assertThat(report.at("/http_share_of_in_process_throughput/http_over_in_process_3")
        .asDouble()).isPositive();
    assertThat(chart).isRegularFile();
  }
}
