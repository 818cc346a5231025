package io.sluice.lab.cli;

import io.sluice.lab.bench.Medians;
import io.sluice.lab.bench.SourcesBench;
import io.sluice.runtime.cli.CliOutput;
import io.sluice.runtime.cli.ExitCodes;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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

/** {@code sluice bench sources}: readings/s decoded from JSON and from Sparkplug B, side by side. */
@Command(
    name = "sources",
    mixinStandardHelpOptions = true,
    description = {
      "Measure readings per second that a gateway decodes from its input topic into its",
      "results topic: JSON sensor readings beside Sparkplug B DDATA (aliases only, in",
      "sequence, after births) with each --metrics count per message. After one uncounted",
      "warm-up run each, the variants take turns, --repeats times. A run counts only when",
      "every reading arrived and nothing went to the dead-letter topic. Prints a table, the",
      "medians and the Sparkplug/JSON ratios, a JSON line with --json, a chart with --chart."},
    footerHeading = "%nExample:%n",
    footer = {"  sluice bench sources --readings 200000 --metrics 1,10 --repeats 3 "
        + "--chart docs/charts/bench-sources.png --json", "",
      "Exit codes: 0 done, 1 readings missing or dead letters, 2 bad arguments, 3 runtime"
          + " error."})
public final class BenchSourcesCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--readings", defaultValue = "200000", paramLabel = "N",
      description = "Readings per run (default: ${DEFAULT-VALUE}).")
  int readings;

  @Option(names = "--metrics", split = ",", defaultValue = "1,10", paramLabel = "N,...",
      description = "Sparkplug metrics per DDATA message to measure (default: ${DEFAULT-VALUE}).")
  List<Integer> metrics;

  @Option(names = "--devices", defaultValue = "10", paramLabel = "N",
      description = "JSON devices, and Sparkplug edge nodes (default: ${DEFAULT-VALUE}).")
  int devices;

  @Option(names = "--partitions", defaultValue = "2", paramLabel = "N",
      description = "Partitions of the input topic (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--repeats", defaultValue = "3", paramLabel = "N",
      description = "Runs of each variant, interleaved (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--chart", paramLabel = "PNG", description = "Write a bar chart here.")
  Path chart;

  @Option(names = "--json", description = "Last line: one JSON object with the figures.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (readings < 1 || devices < 1 || partitions < 1 || repeats < 1
        || metrics.stream().anyMatch(m -> m < 1)) {
      throw new ExitCodes.UsageError("--readings, --devices, --partitions, --repeats and every"
          + " --metrics must be at least 1");
    }
    PrintWriter err = spec.commandLine().getErr();
    List<SourcesBench.Variant> variants = new ArrayList<>();
    variants.add(SourcesBench.Variant.json());
    metrics.forEach(m -> variants.add(SourcesBench.Variant.sparkplug(m)));
    List<SourcesBench.Result> results = new SourcesBench(devices, partitions, line -> {
      err.println(line);
      err.flush();
    }).run(variants, readings, repeats);

    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "%-14s %9s %9s %12s %s%n", "variant", "messages", "readings",
        "median/s", "runs (readings/s)");
    Map<String, Double> medians = new LinkedHashMap<>();
    List<Map<String, Object>> rows = new ArrayList<>();
    boolean complete = true;
    for (SourcesBench.Variant v : variants) {
      List<SourcesBench.Result> runs = results.stream().filter(r -> r.variant().equals(v))
          .toList();
      List<Double> rates = runs.stream().map(SourcesBench.Result::readingsPerSecond).toList();
      double median = Medians.of(rates);
      medians.put(v.name(), median);
      boolean allComplete = runs.stream().allMatch(SourcesBench.Result::complete);
      complete &= allComplete;
      out.printf(Locale.ROOT, "%-14s %9d %9d %12.0f %s%s%n", v.name(), runs.get(0).messages(),
          runs.get(0).readings(), median, rates.stream().map(r -> String.format(Locale.ROOT,
              "%.0f", r)).toList(), allComplete ? "" : "  INCOMPLETE");
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("variant", v.name());
      row.put("metrics_per_message", v.metricsPerMessage());
      row.put("messages", runs.get(0).messages());
      row.put("readings", runs.get(0).readings());
      row.put("median_readings_per_s", Math.round(median));
      row.put("runs_readings_per_s", rates.stream().map(Math::round).toList());
      row.put("arrived", runs.stream().map(SourcesBench.Result::arrived).toList());
      row.put("dead_letters", runs.stream().mapToInt(SourcesBench.Result::deadLetters).sum());
      row.put("complete", allComplete);
      rows.add(row);
    }
    double jsonRate = medians.get("json");
    Map<String, Object> ratios = new LinkedHashMap<>();
    for (int m : metrics) {
      double ratio = medians.get("sparkplug-" + m) / jsonRate;
      ratios.put("sparkplug-" + m, Math.round(ratio * 1000) / 1000.0);
      out.printf(Locale.ROOT, "sparkplug-%d / json: %.2f%n", m, ratio);
    }
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("devices", devices);
    figures.put("partitions", partitions);
    figures.put("repeats", repeats);
    figures.put("variants", rows);
    figures.put("ratio_to_json", ratios);
    if (chart != null) {
      writeChart(medians);
      figures.put("chart", chart.toString());
    }
    if (json) {
      CliOutput.printJsonLine(out, figures);
    }
    out.flush();
    return complete ? ExitCodes.OK : ExitCodes.FAILED;
  }


  private void writeChart(Map<String, Double> medians) throws Exception {
    CategoryChart bars = new CategoryChartBuilder().width(800).height(450)
        .title("Readings/s decoded into the results topic (median of " + repeats + ")")
        .xAxisTitle("source format").yAxisTitle("readings/s").build();
    bars.getStyler().setLegendVisible(false);
    bars.addSeries("readings/s", new ArrayList<>(medians.keySet()),
        new ArrayList<>(medians.values()));
    Path parent = chart.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    BitmapEncoder.saveBitmap(bars, chart.toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
