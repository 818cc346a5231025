package io.sluice.lab.cli;

import io.sluice.lab.bench.CloudBench;
import io.sluice.runtime.cli.CliOutput;
import io.sluice.runtime.cli.ExitCodes;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code sluice bench cloud}: verdicts/s by resolver concurrency and cloud instances. */
@Command(
    name = "cloud",
    mixinStandardHelpOptions = true,
    description = {
      "Measure the cloud tier's verdicts per second against an OpenAI-compatible resolver that",
      "answers every request after --latency: for each number of --instances (cloud topologies",
      "sharing the partitions on one embedded Kafka broker) and each --concurrency",
      "(maxConcurrency of the openai model). The ideal is instances x concurrency / latency.",
      "Prints a table, a JSON line with --json, and a PNG chart with --chart."},
    footerHeading = "%nExample:%n",
    footer = {"  sluice bench cloud --latency 500ms --concurrency 1,8,64 --instances 1,2 "
        + "--chart docs/charts/bench-cloud.png --json", "",
      "Exit codes: 0 done, 1 verdicts missing or duplicated, 2 bad arguments, 3 runtime error."})
public final class BenchCloudCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--latency", defaultValue = "500", paramLabel = "MS",
      description = "Milliseconds the resolver takes per request (default: ${DEFAULT-VALUE}).")
  long latencyMillis;

  @Option(names = "--concurrency", split = ",", defaultValue = "1,8,64", paramLabel = "N,...",
      description = "maxConcurrency values to measure (default: ${DEFAULT-VALUE}).")
  List<Integer> concurrency;

  @Option(names = "--instances", split = ",", defaultValue = "1,2", paramLabel = "N,...",
      description = "Cloud instances to measure (default: ${DEFAULT-VALUE}).")
  List<Integer> instances;

  @Option(names = "--partitions", defaultValue = "6", paramLabel = "N",
      description = "Partitions of the forward topic (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--seconds", defaultValue = "10", paramLabel = "S",
      description = "Aim for this long per configuration at the ideal rate (default:"
          + " ${DEFAULT-VALUE}).")
  double seconds;

  @Option(names = "--max-records", defaultValue = "3000", paramLabel = "N",
      description = "At most this many records per configuration (default: ${DEFAULT-VALUE}).")
  int maxRecords;

  @Option(names = "--chart", paramLabel = "PNG", description = "Write a bar chart here.")
  Path chart;

  @Option(names = "--json", description = "Last line: one JSON object with the figures.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (latencyMillis < 0 || partitions < 1 || seconds <= 0 || maxRecords < 1
        || concurrency.stream().anyMatch(c -> c < 1) || instances.stream().anyMatch(i -> i < 1)) {
      throw new ExitCodes.UsageError("--latency must not be negative; --partitions, --seconds,"
          + " --max-records, --concurrency and --instances must be positive");
    }
    PrintWriter err = spec.commandLine().getErr();
    List<CloudBench.Result> results = new CloudBench(Duration.ofMillis(latencyMillis),
        partitions, line -> {
          err.println(line);
          err.flush();
        }).run(instances, concurrency, seconds, maxRecords);
    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "%-10s %-12s %8s %9s %12s %10s%n", "instances", "concurrency",
        "records", "seconds", "verdicts/s", "ideal/s");
    List<Map<String, Object>> rows = new ArrayList<>();
    boolean complete = true;
    for (CloudBench.Result r : results) {
      double ideal = r.instances() * r.concurrency() * 1000.0 / Math.max(1, latencyMillis);
      out.printf(Locale.ROOT, "%-10d %-12d %8d %9.1f %12.1f %10.1f%n", r.instances(),
          r.concurrency(), r.records(), r.seconds(), r.verdictsPerSecond(), ideal);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("instances", r.instances());
      row.put("concurrency", r.concurrency());
      row.put("records", r.records());
      row.put("seconds", Math.round(r.seconds() * 100) / 100.0);
      row.put("verdicts_per_s", Math.round(r.verdictsPerSecond() * 10) / 10.0);
      row.put("ideal_per_s", Math.round(ideal * 10) / 10.0);
      row.put("duplicates", r.duplicates());
      rows.add(row);
      complete &= r.duplicates() == 0;
    }
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("latency_ms", latencyMillis);
    figures.put("partitions", partitions);
    figures.put("runs", rows);
    if (chart != null) {
      writeChart(results);
      figures.put("chart", chart.toString());
    }
    if (json) {
      CliOutput.printJsonLine(out, figures);
    }
    out.flush();
    return complete ? ExitCodes.OK : ExitCodes.FAILED;
  }

  private void writeChart(List<CloudBench.Result> results) throws Exception {
    CategoryChart bars = new CategoryChartBuilder().width(900).height(500)
        .title("Cloud verdicts/s, resolver latency " + latencyMillis + " ms")
        .xAxisTitle("maxConcurrency").yAxisTitle("verdicts/s").build();
    List<String> x = concurrency.stream().map(String::valueOf).toList();
    for (int n : instances) {
      List<Double> values = new ArrayList<>();
      for (int c : concurrency) {
        values.add(results.stream().filter(r -> r.instances() == n && r.concurrency() == c)
            .findFirst().map(CloudBench.Result::verdictsPerSecond).orElse(0.0));
      }
      bars.addSeries(n + (n == 1 ? " instance" : " instances"), x, values);
    }
    Path parent = chart.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    BitmapEncoder.saveBitmap(bars, chart.toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
