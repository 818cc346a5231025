package io.sluice.lab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.inference.InferenceMeter;
import io.sluice.lab.fleet.DemoTexts;
import io.sluice.lab.fleet.DeviceFleet;
import io.sluice.lab.fleet.FleetSettings;
import io.sluice.lab.fleet.OnTheirWay;
import io.sluice.lab.fleet.OutputTally;
import io.sluice.lab.fleet.Settlement;
import io.sluice.runtime.Metrics;
import io.sluice.runtime.RuntimeOptions;
import io.sluice.runtime.TopologyRuntime;
import io.sluice.runtime.cli.DurationConverter;
import io.sluice.runtime.cli.ExitCodes;
import io.sluice.runtime.cli.TopologyFiles;
import io.sluice.schemas.InferenceResult;
import io.sluice.topology.TopologyException;
import io.sluice.topology.spec.TopologySpec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The end-to-end benchmark: MQTT in to routed outputs, on embedded brokers, through a real
 * topology (by default the demo's, with the default model). Offered rates double until the
 * gateway no longer keeps up (it loses nothing, but a backlog remains after the fleet stops); the
 * highest rate it kept up with is the sustained rate. Then, at half that rate, end-to-end latency
 * per event: from the device's publish time (in the payload) to when the routed result is readable
 * by a read-committed consumer.
 */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    description = "Sustained events/s with nothing lost, and p50/p95/p99 end-to-end latency at"
        + " half that rate, MQTT in to routed outputs on embedded brokers.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  sluice bench pipeline --json",
      "  sluice bench pipeline --distinct-texts --json   # every note through the model",
      "  sluice bench pipeline --cpu-hog --json          # while another process takes a core",
      "  sluice bench pipeline --start-rate 100 --step 15s --chart docs/charts/bench-pipeline.png",
      "",
      "Exit codes: 0 measured, 1 records were lost, 2 bad options, 3 could not run."
    })
public final class BenchPipelineCommand implements Callable<Integer> {

  @Option(names = "--topology", paramLabel = "FILE",
      description = "Topology to measure instead of the bundled edge-configs/demo.yaml.")
  Path topology;

  @Option(names = "--start-rate", defaultValue = "50",
      description = "First offered rate, events/s; doubled each step. Default: ${DEFAULT-VALUE}.")
  double startRate;

  @Option(names = "--max-rate", defaultValue = "12800",
      description = "Stop doubling here. Default: ${DEFAULT-VALUE}.")
  double maxRate;

  @Option(names = "--step", defaultValue = "20s", converter = DurationConverter.class,
      description = "How long each offered rate runs. Default: ${DEFAULT-VALUE}.")
  Duration step;

  @Option(names = "--catch-up", defaultValue = "2s", converter = DurationConverter.class,
      description = "A rate is sustained when every event is out within this long after the"
          + " fleet stops. Default: ${DEFAULT-VALUE}.")
  Duration catchUp;

  @Option(names = "--text-share", defaultValue = "0.3",
      description = "Share of text events (the rest are sensor readings). Default: ${DEFAULT-VALUE}.")
  double textShare;

  @Option(names = "--devices", defaultValue = "8", description = "Simulated devices.")
  int devices;

  @Option(names = "--distinct-texts", description = "Give every note its own work-order number"
      + " (WO <id>: ...), so the classifier's result cache never answers and every note runs"
      + " through the model. Without it, notes repeat from a fixed set and most are cache hits.")
  boolean distinctTexts;

  @Option(names = "--chart", paramLabel = "PNG", description = "Write a latency chart here.")
  Path chart;

  @Option(names = "--cpu-hog", description = "Keep one core busy with another process for the"
      + " whole run (a busy loop in /bin/sh), as a gateway that shares its CPU would be.")
  boolean cpuHog;

  @Option(names = "--json", description = "Last line: one JSON object with the figures.")
  boolean json;

  /**
   * One rate's books: {@code lost} were acknowledged by the broker and are in no output or the
   * dead-letter topic once outputs stood still; {@code backlog} were still on their way when the
   * wait ended; {@code duplicated} are output records beyond the first of their event.
   */
  record Step(double offered, long published, long outputs, long duplicated, long backlog,
      long lost, long catchUpMillis, boolean sustained) {}

  /** Events the broker acknowledged to the fleet, all steps so far. */
  private long acknowledgedSoFar;

  @Override
  public Integer call() throws Exception {
    TopologySpec spec;
    try {
      spec = TopologyFiles.load(topology, "demo.yaml");
    } catch (TopologyException e) {
      System.err.println(e.getMessage());
      return ExitCodes.USAGE;
    }
    if (!(startRate > 0) || maxRate < startRate) {
      throw new ExitCodes.UsageError("--start-rate must be positive and at most --max-rate");
    }
    PrintStream err = System.err;
    Process hog = null;
    if (cpuHog) {
      hog = new ProcessBuilder("/bin/sh", "-c", "while :; do :; done").start();
      err.println("A busy loop (pid " + hog.pid() + ") keeps one core busy for the whole run");
    }
    try {
      return measure(spec, err);
    } finally {
      if (hog != null) {
        hog.destroyForcibly();
      }
    }
  }

  private Integer measure(TopologySpec spec, PrintStream err) throws Exception {
    Clock clock = Clock.systemUTC();
    PrometheusMeterRegistry registry = Metrics.registry(spec.metadata().name());
    List<String> texts = DemoTexts.load().texts();
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    String latencyPrefix = "lat-";
    try (TopologyRuntime runtime = TopologyRuntime.start(spec, RuntimeOptions.temporary(),
        registry, clock);
        OutputTally tally = new OutputTally(runtime.kafkaBootstrap(),
            OutputTally.Outputs.of(spec.topics()), result -> latency(result, latencyPrefix,
                clock, latencies));
        OnTheirWay onTheirWay = new OnTheirWay(runtime.kafkaBootstrap(), spec, registry)) {
      awaitHealthy(runtime, clock);
      List<Step> steps = new ArrayList<>();
      double best = 0;
      long lostTotal = 0;
      long backlogTotal = 0;
      long duplicatedTotal = 0;
      for (double rate = startRate; rate <= maxRate; rate *= 2) {
        Step s = runStep(runtime, tally, onTheirWay, texts, rate, "r" + (int) rate + "-", clock, err);
        steps.add(s);
        lostTotal += s.lost();
        backlogTotal = s.backlog();
        duplicatedTotal += s.duplicated();
        if (!s.sustained()) {
          double mid = (best + rate) / 2;
          if (best > 0 && mid > best * 1.2) {
            Step m = runStep(runtime, tally, onTheirWay, texts, mid, "m" + (int) mid + "-", clock, err);
            steps.add(m);
            lostTotal += m.lost();
            backlogTotal = m.backlog();
            duplicatedTotal += m.duplicated();
            if (m.sustained()) {
              best = mid;
            }
          }
          break;
        }
        best = rate;
      }
      if (best == 0) {
        err.println("The gateway did not keep up even at " + startRate + " events/s");
      }
      double latencyRate = Math.max(best / 2, startRate / 2);
      err.printf("latency run at %.0f events/s%n", latencyRate);
      latencies.clear();
      Step latencyStep = runStep(runtime, tally, onTheirWay, texts, latencyRate, latencyPrefix, clock, err);
      lostTotal += latencyStep.lost();
      backlogTotal = latencyStep.backlog();
      duplicatedTotal += latencyStep.duplicated();
      long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("topology", spec.metadata().name());
      out.put("sustained_events_per_s", best);
      out.put("latency_rate_events_per_s", latencyRate);
      out.put("latency_samples", sorted.length);
      out.put("p50_ms", percentile(sorted, 0.50));
      out.put("p95_ms", percentile(sorted, 0.95));
      out.put("p99_ms", percentile(sorted, 0.99));
      out.put("max_ms", sorted.length == 0 ? 0 : sorted[sorted.length - 1]);
      out.put("lost", lostTotal);
      out.put("duplicated", duplicatedTotal);
      out.put("backlog_at_end", backlogTotal);
      out.put("distinct_texts", distinctTexts);
      out.put("cpu_hog", cpuHog);
      out.put("cache_hit_rate", cacheHitRate(registry));
      out.put("steps", steps);
      if (chart != null) {
        writeChart(sorted, best, latencyRate, chart);
        out.put("chart", chart.toString());
      }
      err.printf("sustained %.0f events/s; at %.0f events/s latency p50 %d ms, p95 %d ms,"
          + " p99 %d ms; lost %d, duplicated %d, still on their way at the end %d; result cache"
          + " answered %.1f%% of texts%n", best, latencyRate,
          out.get("p50_ms"), out.get("p95_ms"), out.get("p99_ms"), lostTotal, duplicatedTotal,
          backlogTotal,
          100 * (double) out.get("cache_hit_rate"));
      if (json) {
        System.out.println(new ObjectMapper().writeValueAsString(out));
      }
      return lostTotal == 0 ? ExitCodes.OK : ExitCodes.FAILED;
    }
  }

  /** Share of texts the classifiers' result caches answered, over the whole run. */
  private static double cacheHitRate(PrometheusMeterRegistry registry) {
    double hits = Metrics.counterSum(registry, InferenceMeter.CACHE_HITS.meterName());
    double misses = Metrics.counterSum(registry, InferenceMeter.CACHE_MISSES.meterName());
    return hits + misses == 0 ? 0 : Math.round(hits / (hits + misses) * 1000) / 1000.0;
  }

  private Step runStep(TopologyRuntime runtime, OutputTally tally, OnTheirWay onTheirWay,
      List<String> texts,
      double rate, String prefix, Clock clock, PrintStream err) throws Exception {
    FleetSettings settings = new FleetSettings(rate, devices, textShare, 0, 11);
    long dlqBefore = tally.deadLetters();
    long published;
    try (DeviceFleet fleet = new DeviceFleet(runtime.mqttUrl(), settings, texts, clock,
        new SplittableRandom(11), prefix, distinctTexts)) {
      fleet.start();
      long end = clock.millis() + step.toMillis();
      while (clock.millis() < end) {
        Thread.sleep(200);
      }
      fleet.stop();
      fleet.awaitInFlight(10_000);
      published = fleet.published();
    }
    acknowledgedSoFar += published;
    // Wait while outputs grow (at most 120 s); what is still on its way then is a backlog.
    Settlement.Books books = Settlement.defaults(clock).settle(published,
        () -> new Settlement.Counts(tally.distinctResults(prefix),
            tally.deadLetters() - dlqBefore, 0, tally.duplicates(prefix),
            Math.max(0, onTheirWay.count(acknowledgedSoFar))));
    long outputs = books.delivered() + books.deadLettered();
    long caughtUp = books.waitedMillis();
    boolean sustained = books.lost() == 0 && books.backlog() == 0
        && caughtUp <= catchUp.toMillis();
    err.printf("offered %6.0f events/s: published %d in %ds, out %d, lost %d, on their way %d,"
        + " duplicated %d, caught up in %d ms -> %s%n", rate, published, step.toSeconds(),
        outputs, books.lost(), books.backlog(), books.duplicated(), caughtUp,
        sustained ? "sustained" : "behind");
    return new Step(rate, published, outputs, books.duplicated(), books.backlog(), books.lost(),
        caughtUp, sustained);
  }

  private static void latency(InferenceResult result, String prefix, Clock clock,
      ConcurrentLinkedQueue<Long> latencies) {
    if (result.getEventId().startsWith(prefix)) {
      latencies.add(Math.max(0, clock.millis() - result.getTimestamp().toEpochMilli()));
    }
  }

  private static void awaitHealthy(TopologyRuntime runtime, Clock clock) throws Exception {
    long deadline = clock.millis() + 120_000;
    while (!runtime.health().up()) {
      if (clock.millis() > deadline) {
        throw new IllegalStateException("The gateway did not become healthy in 120 s: "
            + runtime.health());
      }
      Thread.sleep(50);
    }
  }

  static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int index = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static void writeChart(long[] sorted, double sustained, double rate, Path file)
      throws Exception {
    XYChart c = new XYChartBuilder().width(900).height(500)
        .title(String.format("End-to-end latency at %.0f events/s (sustained: %.0f events/s)",
            rate, sustained))
        .xAxisTitle("latency (ms)").yAxisTitle("share of events at or below (%)").build();
    int points = Math.min(sorted.length, 500);
    double[] x = new double[points];
    double[] y = new double[points];
    for (int i = 0; i < points; i++) {
      int idx = (int) ((long) i * (sorted.length - 1) / Math.max(1, points - 1));
      x[i] = sorted[idx];
      y[i] = 100.0 * (idx + 1) / sorted.length;
    }
    if (points > 0) {
      c.addSeries("latency CDF", x, y);
    }
    java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
    BitmapEncoder.saveBitmap(c, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
