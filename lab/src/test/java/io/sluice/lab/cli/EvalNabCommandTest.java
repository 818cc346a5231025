package io.sluice.lab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runtime.cli.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EvalNabCommandTest {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final LocalDateTime START = LocalDateTime.of(2014, 4, 1, 0, 0);

  @TempDir Path dir;

  private record Run(int exit, String out, String err) {
    JsonNode json() throws Exception {
      String[] lines = out.strip().split("\n");
      return new ObjectMapper().readTree(lines[lines.length - 1]);
    }
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = LabCommandLine.root();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  /** 1,500 five-minute readings of noise, with a spike of 30 sigma at row 1,200 if asked. */
  private void writeSeries(String name, boolean spike) throws Exception {
    Random random = new Random(name.hashCode());
    StringBuilder csv = new StringBuilder("timestamp,value\n");
    for (int i = 0; i < 1500; i++) {
      double value = 10 + random.nextGaussian() + (spike && i == 1200 ? 30 : 0);
      csv.append(TIME.format(START.plusMinutes(5L * i))).append(',').append(value).append('\n');
    }
    Path file = dir.resolve("data").resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, csv);
  }

  private Path writeWindows(String json) throws Exception {
    Path file = dir.resolve("windows.json");
    Files.writeString(file, json);
    return file;
  }

  @Test
  void scoresAHandMadeCorpusAndWritesNabResults() throws Exception {
    writeSeries("synthetic/spike.csv", true);
    writeSeries("synthetic/quiet.csv", false);
    // Window of rows 1,150..1,250 around the spike (5-minute rows from 2014-04-01 00:00).
    Path windows = writeWindows("{\"synthetic/spike.csv\": [[\""
        + TIME.format(START.plusMinutes(5L * 1150)) + ".000000\", \""
        + TIME.format(START.plusMinutes(5L * 1250)) + ".000000\"]], \"synthetic/quiet.csv\": []}");
    Path results = dir.resolve("results");
    Path chart = dir.resolve("chart.png");
    Run run = run("eval", "nab", "--data", dir.resolve("data").toString(), "--windows",
        windows.toString(), "--results", results.toString(), "--repeat", "1", "--chart",
        chart.toString(), "--chart-series", "spike.csv", "--json");

    assertThat(run.exit()).as(run.err()).isEqualTo(ExitCodes.OK);
    JsonNode json = run.json();
    for (String key : List.of("standard", "reward_low_fp", "reward_low_fn", "readings_per_s",
        "bytes_ingested", "bytes_forwarded")) {
      assertThat(json.has(key)).as(key).isTrue();
    }
    // The spike is caught near the middle of its window: a high score, far above the null 0.
    assertThat(json.get("standard").asDouble()).isGreaterThan(80);
    assertThat(json.get("readings").asLong()).isEqualTo(3000);
    assertThat(json.get("bytes_forwarded").asLong()).isLessThan(json.get("bytes_ingested").asLong());
    assertThat(run.err()).contains("synthetic/spike.csv");

    List<String> lines = Files.readAllLines(results.resolve("synthetic/sluice_spike.csv"));
    assertThat(lines.get(0)).isEqualTo("timestamp,value,anomaly_score,label");
    assertThat(lines).hasSize(1501);
    assertThat(lines.get(1201)).startsWith(TIME.format(START.plusMinutes(5L * 1200)) + ",")
        .endsWith(",1");
    assertThat(lines.get(1)).endsWith(",0");
    assertThat(Files.size(chart)).isPositive();
  }

  @Test
  void aSeriesMissingFromTheWindowsFileIsBadInput() throws Exception {
    writeSeries("synthetic/spike.csv", true);
    Path windows = writeWindows("{\"other/file.csv\": []}");
    Run run = run("eval", "nab", "--data", dir.resolve("data").toString(), "--windows",
        windows.toString());
    assertThat(run.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("has no entry for synthetic/spike.csv");
  }

  @Test
  void runsOnTheSharedNabFiles() throws Exception {
    Path nab = Path.of(System.getProperty("sluice.shared.dir", "../../shared"), "data", "nab");
    Assumptions.assumeTrue(Files.isDirectory(nab),
        "NAB data not found at " + nab + " (set -Dsluice.shared.dir); skipping");
    Run run = run("eval", "nab", "--data", nab.toString(), "--windows",
        nab.resolve("combined_windows.json").toString(), "--repeat", "1", "--json");
    assertThat(run.exit()).as(run.err()).isEqualTo(ExitCodes.OK);
    JsonNode json = run.json();
    // No fixed accuracy is assumed: scores are normalised, so they stay within null..perfect.
    for (String key : List.of("standard", "reward_low_fp", "reward_low_fn")) {
      assertThat(json.get(key).asDouble()).as(key).isBetween(-100.0, 100.0);
    }
    assertThat(json.get("profiles").get("standard").get("windows").asInt()).isPositive();
    assertThat(json.get("readings_per_s").asLong()).isPositive();
  }
}
