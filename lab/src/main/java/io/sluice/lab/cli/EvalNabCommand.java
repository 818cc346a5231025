package io.sluice.lab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.lab.eval.nab.NabBandwidth;
import io.sluice.lab.eval.nab.NabChart;
import io.sluice.lab.eval.nab.NabCorpus;
import io.sluice.lab.eval.nab.NabProfile;
import io.sluice.lab.eval.nab.NabResults;
import io.sluice.lab.eval.nab.NabScorer;
import io.sluice.lab.eval.nab.NabSeries;
import io.sluice.operators.anomaly.AnomalyDetector;
import io.sluice.operators.anomaly.DetectionMethod;
import io.sluice.operators.anomaly.DetectorSettings;
import io.sluice.runtime.cli.ExitCodes;
import io.sluice.schemas.ModelRef;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code sluice eval nab}: runs the sensor anomaly detector over every NAB series as a stream and
 * scores it with the NAB method for the three profiles, with the bytes a gateway would forward.
 */
@Command(
    name = "nab",
    mixinStandardHelpOptions = true,
    description = {
      "Run the sensor anomaly detector over every CSV under --data as a stream and score it with",
      "the Numenta Anomaly Benchmark method (standard, reward-low-FP and reward-low-FN profiles,",
      "threshold chosen per profile over the whole corpus, normalised null=0, perfect=100).",
      "Also reports detector throughput and bytes forwarded against bytes ingested."},
    footerHeading = "%nExample:%n",
    footer = {
      "  sluice eval nab --data ../shared/data/nab \\",
      "      --windows ../shared/data/nab/combined_windows.json \\",
      "      --results target/nab-results --chart target/nab.png --json",
      "",
      "Exit codes: 0 ok, 1 standard score below --target, 2 bad input, 3 runtime error."})
public final class EvalNabCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--data", required = true, paramLabel = "DIR",
      description = "Folder with NAB series (timestamp,value CSV files, searched recursively).")
  Path data;

  @Option(names = "--windows", required = true, paramLabel = "FILE",
      description = "NAB labels: combined_windows.json.")
  Path windows;

  @Option(names = "--results", paramLabel = "DIR",
      description = "Write detections in NAB's results layout (timestamp,value,anomaly_score,label)"
          + " here, one file per series.")
  Path results;

  @Option(names = "--method", defaultValue = "COMBINED",
      description = "Detector method: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  DetectionMethod method;

  @Option(names = "--threshold", paramLabel = "SCORE",
      description = "Detector threshold, which starts the cooldown after a flag and decides what is"
          + " forwarded (default: the detector's, 0.35). NAB's own threshold is swept per profile.")
  Double threshold;

  @Option(names = "--summary-window", defaultValue = "PT1H", paramLabel = "DURATION",
      description = "Tumbling window of the normal-reading summaries, ISO-8601 (default: ${DEFAULT-VALUE}).")
  Duration summaryWindow;

  @Option(names = "--repeat", defaultValue = "3",
      description = "Timed passes over the corpus for readings/s; the median is reported (default: ${DEFAULT-VALUE}).")
  int repeat;

  @Option(names = "--chart", paramLabel = "PNG",
      description = "Write a chart of one series (value, score, labelled windows, flags).")
  Path chart;

  @Option(names = "--chart-series", paramLabel = "NAME",
      defaultValue = "realAWSCloudwatch/rds_cpu_utilization_e47b3b.csv",
      description = "Series for --chart, as named in the windows file (default: ${DEFAULT-VALUE}).")
  String chartSeries;

  @Option(names = "--target", paramLabel = "SCORE",
      description = "Exit 1 when the standard-profile score is below SCORE.")
  Double target;

  @Option(names = "--json", description = "Print one JSON object as the last line of stdout.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (repeat < 1) {
      throw new ExitCodes.UsageError("--repeat must be at least 1, got " + repeat);
    }
    if (summaryWindow.isNegative() || summaryWindow.toMillis() < 1000) {
      throw new ExitCodes.UsageError("--summary-window must be at least 1s, got " + summaryWindow);
    }
    if (!Files.isRegularFile(windows)) {
      throw new ExitCodes.UsageError("--windows " + windows + " is not a file");
    }
    PrintWriter err = spec.commandLine().getErr();
    List<NabSeries> corpus;
    try {
      corpus = NabCorpus.load(data, windows);
    } catch (IllegalArgumentException e) {
      throw new ExitCodes.UsageError(e.getMessage());
    }
    long readings = corpus.stream().mapToLong(NabSeries::size).sum();
    err.printf("eval nab: %d series, %,d readings, method %s%n", corpus.size(), readings, method);

    DetectorSettings settings = DetectorSettings.defaults().withMethod(method);
    if (threshold != null) {
      try {
        settings = settings.withThreshold(threshold);
      } catch (IllegalArgumentException e) {
        throw new ExitCodes.UsageError("--threshold: " + e.getMessage());
      }
    }
    List<double[]> run = detect(corpus, settings, err);
    double[] rates = new double[repeat];
    for (int pass = 0; pass < repeat; pass++) {
      long start = System.nanoTime();
      detect(corpus, settings, null);
      rates[pass] = readings / ((System.nanoTime() - start) / 1e9);
      err.printf("eval nab: timed pass %d/%d: %,.0f readings/s%n", pass + 1, repeat, rates[pass]);
    }
    Arrays.sort(rates);
    double readingsPerSecond = rates[repeat / 2];

    Map<NabProfile, NabScorer.Result> scores = new LinkedHashMap<>();
    for (NabProfile profile : NabProfile.all()) {
      NabScorer.Result result = NabScorer.scoreBest(corpus, run, profile);
      if (Double.isNaN(result.normalized())) {
        throw new ExitCodes.UsageError("No labelled window in " + windows + " falls after the"
            + " probationary period of the series under " + data + ": the NAB score is undefined");
      }
      scores.put(profile, result);
    }

    List<double[]> standardRun = run;
    ModelRef model = new ModelRef("sluice-anomaly", method.name().toLowerCase(java.util.Locale.ROOT));
    NabBandwidth bandwidth = new NabBandwidth(summaryWindow.toMillis(), model);
    for (int i = 0; i < corpus.size(); i++) {
      bandwidth.add(corpus.get(i), standardRun.get(i), settings.threshold());
    }
    if (results != null) {
      for (int i = 0; i < corpus.size(); i++) {
        NabResults.write(results, "sluice", corpus.get(i), standardRun.get(i));
      }
      err.printf("eval nab: results in NAB layout under %s%n", results);
    }
    if (chart != null) {
      int index = indexOf(corpus, chartSeries);
      if (chart.getParent() != null) {
        Files.createDirectories(chart.getParent());
      }
      NabChart.write(chart, corpus.get(index), standardRun.get(index),
          scores.get(NabProfile.STANDARD).threshold());
      err.printf("eval nab: chart of %s in %s%n", chartSeries, chart);
    }

    report(corpus.size(), readings, scores, readingsPerSecond, bandwidth);
    NabScorer.Result standard = scores.get(NabProfile.STANDARD);
    return target != null && standard.normalized() < target ? ExitCodes.FAILED : ExitCodes.OK;
  }

  private static List<double[]> detect(List<NabSeries> corpus, DetectorSettings settings,
      PrintWriter progress) {
    List<double[]> all = new ArrayList<>(corpus.size());
    for (NabSeries series : corpus) {
      AnomalyDetector detector = AnomalyDetector.create(settings);
      double[] scores = new double[series.size()];
      long[] times = series.timestamps();
      double[] values = series.values();
      for (int i = 0; i < scores.length; i++) {
        scores[i] = detector.score(times[i], values[i]).score();
      }
      all.add(scores);
      if (progress != null) {
        progress.printf("eval nab: %s (%,d readings)%n", series.name(), series.size());
      }
    }
    return all;
  }

  private int indexOf(List<NabSeries> corpus, String name) {
    for (int i = 0; i < corpus.size(); i++) {
      if (corpus.get(i).name().equals(name) || corpus.get(i).name().endsWith("/" + name)) {
        return i;
      }
    }
    throw new ExitCodes.UsageError("--chart-series " + name + " is not among the series under "
        + data);
  }

  private void report(int files, long readings, Map<NabProfile, NabScorer.Result> scores,
      double readingsPerSecond, NabBandwidth bandwidth) {
    PrintWriter out = spec.commandLine().getOut();
    out.printf("%-15s %7s %9s %8s %9s %4s%n", "profile", "score", "threshold", "windows",
        "detected", "FP");
    for (NabScorer.Result r : scores.values()) {
      out.printf("%-15s %7.1f %9.4f %8d %9d %4d%n", r.profile().name(), r.normalized(),
          r.threshold(), r.windows(), r.detectedWindows(), r.falsePositives());
    }
    out.printf("readings/s (detector, one thread, median of %d): %,.0f%n", repeat, readingsPerSecond);
    out.printf("bytes ingested %,d; forwarded %,d (%.2f%%): %,d anomalies + %,d summaries of %s%n",
        bandwidth.bytesIngested(), bandwidth.bytesForwarded(),
        100.0 * bandwidth.bytesForwarded() / bandwidth.bytesIngested(),
        bandwidth.anomaliesForwarded(), bandwidth.summariesForwarded(), summaryWindow);
    if (json) {
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode node = mapper.createObjectNode();
      for (NabScorer.Result r : scores.values()) {
        node.put(r.profile().name(), round(r.normalized()));
      }
      node.put("readings_per_s", Math.round(readingsPerSecond));
      node.put("bytes_ingested", bandwidth.bytesIngested());
      node.put("bytes_forwarded", bandwidth.bytesForwarded());
      node.put("files", files);
      node.put("readings", readings);
      node.put("method", method.name());
      ObjectNode details = node.putObject("profiles");
      for (NabScorer.Result r : scores.values()) {
        ObjectNode p = details.putObject(r.profile().name());
        p.put("threshold", r.threshold());
        p.put("raw", r.raw());
        p.put("windows", r.windows());
        p.put("detected", r.detectedWindows());
        p.put("false_positives", r.falsePositives());
      }
      out.println(node.toString());
    }
    out.flush();
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
