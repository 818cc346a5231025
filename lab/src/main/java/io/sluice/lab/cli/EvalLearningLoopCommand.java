package io.sluice.lab.cli;

import io.sluice.inference.ModelBundle;
import io.sluice.lab.eval.learning.ForwardTimeline;
import io.sluice.lab.eval.learning.LearningLoopOutput;
import io.sluice.lab.eval.learning.LearningLoopReplay;
import io.sluice.lab.eval.learning.LoopRig;
import io.sluice.runtime.cli.CliOutput;
import io.sluice.runtime.cli.ExitCodes;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code sluice eval learning-loop}: the replay that shows the gateway forwarding less. */
@Command(
    name = "learning-loop",
    mixinStandardHelpOptions = true,
    description = {
      "Replay CLINC150 through a gateway and its cloud, joined by the real cloud link, and "
          + "measure how the share of records the gateway forwards falls as it learns the "
          + "cloud's feedback.",
      "The gateway (embedded MQTT and Kafka; classify + novelty with --gateway-model; route "
          + "'novel or confidence < --min-confidence' to the cloud) is trained on train.jsonl "
          + "without --withheld intents; the cloud (its own embedded Kafka; --cloud-model) on "
          + "all of them. val.jsonl, shuffled with --seed, is published over MQTT at --rate.",
      "Figures: the forward rate per window of --window records (CSV and PNG), before and "
          + "after feedback; the share of withheld-intent records forwarded early and late "
          + "(first and last quarter of the stream); the accuracy of what the gateway keeps; "
          + "feedback volume; learning latency (cloud verdict to the gateway head that knows it "
          + "serving)."},
    footerHeading = "%nExample:%n",
    footer = {
      "  sluice eval learning-loop --data ../shared/data/clinc150 --withheld 30 --rate 20 "
          + "--csv docs/charts/learning-loop.csv --chart docs/charts/learning-loop.png --json",
      "  OPENAI_API_KEY=... sluice eval learning-loop --data ../shared/data/clinc150 "
          + "--cloud-topology edge-configs/cloud-openai.yaml --json",
      "",
      "Exit codes: 0 done, 1 the forward rate did not fall or records went missing (with "
          + "--check), 2 bad arguments or data, 3 runtime error."})
public final class EvalLearningLoopCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--data", required = true, paramLabel = "DIR",
      description = "CLINC150 folder with train.jsonl and val.jsonl.")
  Path data;

  @Option(names = "--withheld", defaultValue = "30", paramLabel = "N",
      description = "Intents left out of the gateway's training data (default: ${DEFAULT-VALUE}).")
  int withheld;

  @Option(names = "--rate", defaultValue = "20", paramLabel = "N",
      description = "Records published per second (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--records", defaultValue = "3000", paramLabel = "N",
      description = "Records to stream: val.jsonl shuffled, cut, or repeated in reshuffled "
          + "passes (default: ${DEFAULT-VALUE}).")
  int records;

  @Option(names = "--window", defaultValue = "150", paramLabel = "N",
      description = "Records per window of the forward-rate timeline (default: ${DEFAULT-VALUE}).")
  int window;

  @Option(names = "--train-per-intent", defaultValue = "30", paramLabel = "N",
      description = "Training examples per intent for both tiers, the first N of each in "
          + "train.jsonl (default: ${DEFAULT-VALUE}; CLINC150 has 100).")
  int trainPerIntent;

  @Option(names = "--min-confidence", defaultValue = "0.7", paramLabel = "P",
      description = "The gateway forwards records classified below this confidence, and novel "
          + "ones (default: ${DEFAULT-VALUE}).")
  double minConfidence;

  @Option(names = "--feedback-min-confidence", defaultValue = "0.5", paramLabel = "P",
      description = "The cloud's resolve.feedbackMinConfidence: verdicts at least this "
          + "confident go back as feedback (default: ${DEFAULT-VALUE}).")
  double feedbackMinConfidence;

  @Option(names = "--gateway-model", defaultValue = ModelBundle.CLASSPATH + "all-minilm-l6-v2-q",
      paramLabel = "BUNDLE", description = "The gateway's encoder (default: ${DEFAULT-VALUE}).")
  String gatewayModel;

  @Option(names = "--cloud-model", defaultValue = ModelBundle.CLASSPATH + "bge-small-en-v1.5-q",
      paramLabel = "BUNDLE", description = "The cloud's encoder (default: ${DEFAULT-VALUE}).")
  String cloudModel;

  @Option(names = "--cloud-topology", paramLabel = "FILE",
      description = "A Cloud topology file whose models and resolve settings (model, head,"
          + " feedbackMinConfidence, dedupeRetention) the cloud takes in place of --cloud-model"
          + " and --feedback-min-confidence; its labels are replaced by the data set's. A model"
          + " of kind openai resolves over HTTP: the JSON then counts resolver_calls, _retries,"
          + " _errors, _prompt_tokens, _completion_tokens and reviewed.")
  Path cloudTopology;

  @Option(names = "--no-learn", description = "Run the gateway with cloud.learn: false (the "
      + "link still carries feedback, nothing learns it): the baseline without the loop.")
  boolean noLearn;

  @Option(names = "--baseline", description = "First replay the same stream with learning off "
      + "(fresh brokers and models), then with it on: both in the chart, the CSV (column run) and "
      + "the JSON (baseline_*). Takes twice as long.")
  boolean baseline;

  @Option(names = "--seed", defaultValue = "7", paramLabel = "N",
      description = "Picks the withheld intents and orders the stream (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--csv", paramLabel = "FILE", description = "Write the timeline as CSV here.")
  Path csv;

  @Option(names = "--chart", paramLabel = "PNG", description = "Write the timeline chart here.")
  Path chart;

  @Option(names = "--check", description = "Exit 1 unless the forward rate of the last quarter "
      + "of the stream is below the rate before feedback and every record was routed.")
  boolean check;

  @Option(names = "--json", description = "Last line: one JSON object with the figures.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (!Files.isDirectory(data)) {
      throw new ExitCodes.UsageError("--data " + data + " is not a folder");
    }
    if (window < 1) {
      throw new ExitCodes.UsageError("--window must be at least 1, got " + window);
    }
    for (double p : new double[] {minConfidence, feedbackMinConfidence}) {
      if (!(p >= 0 && p <= 1)) {
        throw new ExitCodes.UsageError("--min-confidence and --feedback-min-confidence must be"
            + " in [0, 1], got " + p);
      }
    }
    PrintWriter err = spec.commandLine().getErr();
    LearningLoopReplay.Options options = new LearningLoopReplay.Options(data, withheld, rate,
        records, window, trainPerIntent, seed,
        new LoopRig.Settings(gatewayModel, cloudModel, minConfidence, feedbackMinConfidence,
            !noLearn, cloudTopology == null ? null : cloudTopology.toAbsolutePath()));
    if (cloudTopology != null && !Files.isRegularFile(cloudTopology)) {
      throw new ExitCodes.UsageError("--cloud-topology " + cloudTopology + " is not a file");
    }
    if (baseline && noLearn) {
      throw new ExitCodes.UsageError("--baseline already runs without learning; drop --no-learn");
    }
    LearningLoopReplay replay = new LearningLoopReplay(Clock.systemUTC(), line -> {
      err.println(line);
      err.flush();
    });
    LearningLoopReplay.Report open = null;
    LearningLoopReplay.Report report;
    try {
      if (baseline) {
        err.println("Baseline: the same replay with learning off");
        open = replay.run(options.withLearning(false));
        err.println("Now with learning on");
      }
      report = replay.run(options);
    } catch (IllegalArgumentException e) {
      throw new ExitCodes.UsageError(e.getMessage());
    }
    Map<String, Object> figures = LearningLoopOutput.json(report);
    if (open != null) {
      LearningLoopOutput.json(open).forEach((key, value) -> {
        if (BASELINE_FIGURES.contains(key)) {
          figures.put("baseline_" + key, value);
        }
      });
    }
    if (csv != null) {
      LearningLoopOutput.writeCsv(open == null ? List.of(report) : List.of(open, report), csv);
      figures.put("csv", csv.toString());
    }
    if (chart != null) {
      LearningLoopOutput.writeChart(report, open, chart);
      figures.put("chart", chart.toString());
    }
    PrintWriter out = spec.commandLine().getOut();
    printSummary(out, report, figures);
    boolean fell = isBelow(figures.get("forward_rate_late"),
        figures.get("forward_rate_before_feedback"));
    figures.put("forward_rate_fell", fell);
    if (json) {
      CliOutput.printJsonLine(out, figures);
    }
    out.flush();
    if (check && (!fell || report.figures().missing() > 0 || report.cloudUnanswered() > 0)) {
      err.println("Check failed: " + (fell ? "" : "the forward rate did not fall after feedback; ")
          + (report.figures().missing() > 0 ? report.figures().missing()
              + " records were never routed; " : "")
          + (report.cloudUnanswered() > 0 ? report.cloudUnanswered()
              + " forwarded records had no verdict or review entry" : ""));
      return ExitCodes.FAILED;
    }
    return ExitCodes.OK;
  }

  /** The figures of a baseline run worth setting beside the learning run's. */
  private static final Set<String> BASELINE_FIGURES = Set.of("forward_rate",
      "forward_rate_first_window", "forward_rate_last_window", "forward_rate_early",
      "forward_rate_late", "withheld_forwarded_early", "withheld_forwarded_late",
      "known_forwarded_early", "known_forwarded_late", "local_accuracy", "local_accuracy_early",
      "local_accuracy_late", "feedback_received", "startup_s", "stream_s");

  private static boolean isBelow(Object after, Object before) {
    return after instanceof Double a && before instanceof Double b && a < b;
  }

  private static void printSummary(PrintWriter out, LearningLoopReplay.Report report,
      Map<String, Object> f) {
    ForwardTimeline.Figures figures = report.figures();
    out.printf(Locale.ROOT, "Learning loop: %d records, %d of %d intents withheld from the"
            + " gateway (%s; cloud %s)%n", figures.records(), report.withheld().size(),
        report.withheld().size() + report.knownIntents(), f.get("gateway_model"),
        f.get("cloud_model"));
    out.printf(Locale.ROOT, "  forward rate        first quarter %s, last quarter %s; first"
            + " window %s, last window %s%n", pct(f.get("forward_rate_early")),
        pct(f.get("forward_rate_late")), pct(f.get("forward_rate_first_window")),
        pct(f.get("forward_rate_last_window")));
    out.printf(Locale.ROOT, "                      before feedback %s (%s records on the first"
            + " head), after %s%n", pct(f.get("forward_rate_before_feedback")),
        f.get("records_before_feedback"), pct(f.get("forward_rate_after_feedback")));
    out.printf(Locale.ROOT, "  withheld intents    forwarded early %s, late %s (first and last"
            + " quarter)%n", pct(f.get("withheld_forwarded_early")),
        pct(f.get("withheld_forwarded_late")));
    out.printf(Locale.ROOT, "  known intents       forwarded early %s, late %s%n",
        pct(f.get("known_forwarded_early")), pct(f.get("known_forwarded_late")));
    out.printf(Locale.ROOT, "  local accuracy      %s overall (early %s, late %s) on %s records"
            + " kept%n", pct(f.get("local_accuracy")), pct(f.get("local_accuracy_early")),
        pct(f.get("local_accuracy_late")), f.get("kept_local"));
    out.printf(Locale.ROOT, "  feedback            %s records received, %s learned in %s new"
            + " heads; cloud accepted %s forwarded%n", f.get("feedback_received"),
        f.get("feedback_learned"), f.get("heads_learned"), f.get("cloud_accepted"));
    out.printf(Locale.ROOT, "  learning latency    p50 %s ms, p95 %s ms, max %s ms (cloud"
            + " verdict to serving head)%n", f.get("learning_latency_p50_ms"),
        f.get("learning_latency_p95_ms"), f.get("learning_latency_max_ms"));
    if (f.containsKey("baseline_forward_rate")) {
      out.printf(Locale.ROOT, "  without learning    forward rate early %s, late %s; withheld"
              + " intents forwarded early %s, late %s; local accuracy %s%n",
          pct(f.get("baseline_forward_rate_early")), pct(f.get("baseline_forward_rate_late")),
          pct(f.get("baseline_withheld_forwarded_early")),
          pct(f.get("baseline_withheld_forwarded_late")), pct(f.get("baseline_local_accuracy")));
    }
    if (report.options().rig().cloudTopology() != null) {
      out.printf(Locale.ROOT, "  resolver            %s calls, %s retries, %s errors; %s prompt +"
              + " %s completion tokens; %s sent to review, %s unanswered%n",
          f.get("resolver_calls"), f.get("resolver_retries"), f.get("resolver_errors"),
          f.get("resolver_prompt_tokens"), f.get("resolver_completion_tokens"),
          f.get("reviewed"), f.get("cloud_unanswered"));
    }
    out.printf(Locale.ROOT, "  time                start-up %s s, stream %s s; missing %d,"
            + " dead letters %d%n", f.get("startup_s"), f.get("stream_s"), figures.missing(),
        report.deadLetters());
  }

  private static String pct(Object share) {
    return share instanceof Double d ? String.format(Locale.ROOT, "%.1f%%", 100 * d) : "-";
  }
}
