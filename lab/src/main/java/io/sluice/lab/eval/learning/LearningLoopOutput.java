package io.sluice.lab.eval.learning;

import io.sluice.runtime.FeedbackLearner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Writes a replay's report: the forward rate per window as CSV and as a PNG chart, and JSON. */
public final class LearningLoopOutput {

  static final String CSV_HEADER = "run,window,first_record,start_s,end_s,records,forwarded,"
      + "forward_rate,withheld_records,withheld_forwarded,withheld_forward_rate,"
      + "known_forward_rate,kept_local,local_accuracy,head_version";

  private LearningLoopOutput() {}

  /**
   * One line per window and run ({@code learning}, or {@code no-learning} for a baseline), with
   * {@link #CSV_HEADER}; shares are empty where a window had none.
   *
   * @param reports the runs, in the order written
   */
  public static void writeCsv(List<LearningLoopReplay.Report> reports, Path file)
      throws IOException {
    createParent(file);
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file,
        StandardCharsets.UTF_8))) {
      out.println(CSV_HEADER);
      for (LearningLoopReplay.Report report : reports) {
        String run = runName(report);
        for (ForwardTimeline.Window w : report.windows()) {
          ForwardTimeline.Tally t = w.tally();
          out.printf(Locale.ROOT, "%s,%d,%d,%.1f,%.1f,%d,%d,%s,%d,%d,%s,%s,%d,%s,%d%n", run,
              w.index(), w.firstRecord(), w.startSeconds(), w.endSeconds(), t.records(),
              t.forwarded(), csv(t.forwardRate()), t.withheld(), t.withheldForwarded(),
              csv(t.withheldForwardRate()), csv(t.knownForwardRate()), t.keptLocal(),
              csv(t.localAccuracy()), w.headVersion());
        }
      }
    }
  }

  static String runName(LearningLoopReplay.Report report) {
    return report.options().rig().learn() ? "learning" : "no-learning";
  }

  /**
   * The forward rate over time: all records, records of withheld intents and of known intents,
   * per window, against the publish time of the window's last record; a vertical line where each
   * new head (one retraining on feedback) started serving. With a baseline (the same stream with
   * learning off), its all-records and withheld-intents rates are drawn dashed beside them.
   *
   * @param baseline the run without learning, or null
   */
  public static void writeChart(LearningLoopReplay.Report report,
      LearningLoopReplay.Report baseline, Path file) throws IOException {
    LearningLoopReplay.Options o = report.options();
    XYChart chart = new XYChartBuilder().width(1000).height(540)
        .title(String.format(Locale.ROOT, "Forwarded to the cloud: %d of %d intents new to the"
            + " gateway, %d records at %.0f/s", report.withheld().size(),
            report.withheld().size() + report.knownIntents(), report.figures().records(),
            o.ratePerSecond()))
        .xAxisTitle("seconds since the first record (window of " + o.window() + " records)")
        .yAxisTitle("forwarded (%)").build();
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(100.0).setLegendVisible(true)
        .setMarkerSize(5);
    String suffix = baseline == null ? "" : ", learning";
    List<ForwardTimeline.Window> windows = report.windows();
    double[] x = endSeconds(windows);
    addSeries(chart, "all records" + suffix, x, rates(windows, ForwardTimeline.Tally::forwardRate),
        false);
    addSeries(chart, "withheld intents" + suffix, x,
        rates(windows, ForwardTimeline.Tally::withheldForwardRate), false);
    addSeries(chart, "known intents" + suffix, x,
        rates(windows, ForwardTimeline.Tally::knownForwardRate), false);
    if (baseline != null) {
      List<ForwardTimeline.Window> open = baseline.windows();
      double[] bx = endSeconds(open);
      addSeries(chart, "all records, no learning", bx,
          rates(open, ForwardTimeline.Tally::forwardRate), true);
      addSeries(chart, "withheld intents, no learning", bx,
          rates(open, ForwardTimeline.Tally::withheldForwardRate), true);
    }
    boolean first = true;
    for (FeedbackLearner.Lesson lesson : report.lessons()) {
      double at = (lesson.servingSince().toEpochMilli() - report.firstPublishMillis()) / 1000.0;
      if (at < 0 || x.length == 0 || at > x[x.length - 1]) {
        continue;
      }
      chart.addAnnotation(new AnnotationLine(at, true, false));
      if (first) {
        chart.addAnnotation(new AnnotationText("vertical lines: a gateway head trained on cloud"
            + " feedback starts serving", x[x.length - 1] / 2, 97, false));
        first = false;
      }
    }
    createParent(file);
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static double[] endSeconds(List<ForwardTimeline.Window> windows) {
    return windows.stream().mapToDouble(ForwardTimeline.Window::endSeconds).toArray();
  }

  private static double[] rates(List<ForwardTimeline.Window> windows,
      ToDoubleFunction<ForwardTimeline.Tally> share) {
    return windows.stream().mapToDouble(w -> 100 * share.applyAsDouble(w.tally())).toArray();
  }

  private static void addSeries(XYChart chart, String name, double[] x, double[] y,
      boolean dashed) {
    double[] clean = y.clone();
    for (int i = 0; i < clean.length; i++) {
      // A window without records of a kind has no share: draw it as a gap-free repeat.
      if (Double.isNaN(clean[i])) {
        clean[i] = i > 0 ? clean[i - 1] : 0;
      }
    }
    XYSeries series = chart.addSeries(name, x, clean);
    series.setMarker(dashed ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
    if (dashed) {
      series.setLineStyle(SeriesLines.DASH_DASH);
    }
  }

  /** The report as the ordered map {@code --json} prints. */
  public static Map<String, Object> json(LearningLoopReplay.Report report) {
    ForwardTimeline.Figures f = report.figures();
    LearningLoopReplay.Options o = report.options();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("records", f.records());
    json.put("missing", f.missing());
    json.put("withheld_intents", report.withheld().size());
    json.put("rate_per_s", o.ratePerSecond());
    json.put("window_records", o.window());
    json.put("train_per_intent", o.trainPerIntent());
    json.put("gateway_examples", report.gatewayExamples());
    json.put("cloud_examples", report.cloudExamples());
    json.put("gateway_model", o.rig().gatewayModel());
    json.put("cloud_model", report.resolver().model() != null ? report.resolver().model()
        : o.rig().cloudModel());
    json.put("min_confidence", o.rig().minConfidence());
    json.put("feedback_min_confidence", o.rig().feedbackMinConfidence());
    json.put("learn", o.rig().learn());
    json.put("seed", o.seed());
    json.put("forward_rate", round(f.all().forwardRate()));
    json.put("forward_rate_first_window", round(f.firstWindow().tally().forwardRate()));
    json.put("forward_rate_last_window", round(f.lastWindow().tally().forwardRate()));
    json.put("forward_rate_before_feedback", round(f.firstHead().forwardRate()));
    json.put("records_before_feedback", f.firstHead().records());
    json.put("forward_rate_after_feedback", round(f.laterHeads().forwardRate()));
    json.put("forward_rate_early", round(f.early().forwardRate()));
    json.put("forward_rate_late", round(f.late().forwardRate()));
    json.put("withheld_forwarded_early", round(f.early().withheldForwardRate()));
    json.put("withheld_forwarded_late", round(f.late().withheldForwardRate()));
    json.put("known_forwarded_early", round(f.early().knownForwardRate()));
    json.put("known_forwarded_late", round(f.late().knownForwardRate()));
    json.put("local_accuracy", round(f.all().localAccuracy()));
    json.put("local_accuracy_early", round(f.early().localAccuracy()));
    json.put("local_accuracy_late", round(f.late().localAccuracy()));
    json.put("kept_local", f.all().keptLocal());
    json.put("forwarded", f.all().forwarded());
    json.put("cloud_accepted", report.cloudAccepted());
    LoopRig.ResolverFigures r = report.resolver();
    json.put("cloud_topology", o.rig().cloudTopology() == null ? null
        : o.rig().cloudTopology().toString());
    json.put("resolver_calls", r.calls());
    json.put("resolver_retries", r.retries());
    json.put("resolver_errors", r.errors());
    json.put("resolver_prompt_tokens", r.promptTokens());
    json.put("resolver_completion_tokens", r.completionTokens());
    json.put("reviewed", r.reviewed());
    json.put("cloud_unanswered", report.cloudUnanswered());
    json.put("feedback_received", report.feedbackReceived());
    json.put("feedback_learned", report.lessons().stream().mapToInt(l -> l.taught().size())
        .sum());
    json.put("heads_learned", report.lessons().stream()
        .mapToLong(FeedbackLearner.Lesson::headVersion).distinct().count());
    long[] latencies = report.learningLatenciesMillis();
    json.put("learning_latency_p50_ms", percentile(latencies, 0.5));
    json.put("learning_latency_p95_ms", percentile(latencies, 0.95));
    json.put("learning_latency_max_ms", latencies.length == 0 ? null
        : latencies[latencies.length - 1]);
    json.put("dead_letters", report.deadLetters());
    json.put("startup_s", round(report.startupSeconds()));
    json.put("stream_s", round(report.streamSeconds()));
    return json;
  }

  static Long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return null;
    }
    int index = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /** Four decimals, or null for a share of nothing (JSON has no NaN). */
  static Double round(double value) {
    return Double.isNaN(value) ? null : Math.round(value * 10_000) / 10_000.0;
  }

  private static String csv(double value) {
    return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.4f", value);
  }

  private static void createParent(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
  }
}
