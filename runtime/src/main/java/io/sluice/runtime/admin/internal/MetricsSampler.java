package io.sluice.runtime.admin.internal;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.operators.OperatorMeters;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dashboard's figures. Every {@code sampleEvery} the admin server calls {@link #sample()},
 * which reads the operators' meters (records in, bytes in, routed records and bytes by route and
 * reason, dead letters by reason, the batch-size, inference-time and queue-wait histograms) into
 * a ring of the last {@value #KEEP} samples. {@link #summary} turns the ring into totals, rates
 * over the last {@value #RATE_WINDOW_SAMPLES} samples, percentiles over the last
 * {@value #PERCENTILE_WINDOW_SAMPLES} samples (the difference of cumulative histograms), and a
 * throughput series for the chart. Times come from the injected clock.
 *
 * <p>Called from the admin server's one event loop only; not thread-safe by itself.
 */
public final class MetricsSampler {

  static final int KEEP = 300;
  static final int RATE_WINDOW_SAMPLES = 10;
  static final int PERCENTILE_WINDOW_SAMPLES = 60;
  static final String CLOUD = "cloud";

  private final MeterRegistry registry;
  private final Clock clock;
  private final Deque<Sample> samples = new ArrayDeque<>();

  record Sample(long time, double recordsIn, double bytesIn, Map<String, Double> routes,
      Map<String, Double> forwardReasons, double bytesForwarded, Map<String, Double> dlqReasons,
      Histogram batch, Histogram inference, Histogram queueWait) {

    double routed() {
      return routes.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    double forwarded() {
      return routes.getOrDefault(CLOUD, 0.0);
    }
  }

  public MetricsSampler(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
  }

  /** Reads the meters now and keeps the sample. */
  public void sample() {
    samples.addLast(read());
    while (samples.size() > KEEP) {
      samples.removeFirst();
    }
  }

  /**
   * The figures the dashboard shows. Totals and rates use a fresh reading; the chart's series
   * only the periodic samples, so a request right after a sample does not add a jagged point.
   */
  public Map<String, Object> summary() {
    List<Sample> periodic = new ArrayList<>(samples);
    List<Sample> ring = new ArrayList<>(periodic);
    ring.add(read());
    Sample now = ring.get(ring.size() - 1);
    Sample rateFrom = ring.get(Math.max(0, ring.size() - 1 - RATE_WINDOW_SAMPLES));
    Sample percentileFrom = ring.get(Math.max(0, ring.size() - 1 - PERCENTILE_WINDOW_SAMPLES));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("time", now.time());

    Map<String, Object> totals = new LinkedHashMap<>();
    totals.put("recordsIn", now.recordsIn());
    totals.put("routed", now.routed());
    totals.put("forwarded", now.forwarded());
    totals.put("deadLetters", now.dlqReasons().values().stream().mapToDouble(d -> d).sum());
    totals.put("bytesIn", now.bytesIn());
    totals.put("bytesForwarded", now.bytesForwarded());
    totals.put("bytesSaved", now.bytesIn() - now.bytesForwarded());
    totals.put("bytesSavedShare", now.bytesIn() <= 0 ? null
        : Double.valueOf((now.bytesIn() - now.bytesForwarded()) / now.bytesIn()));
    out.put("totals", totals);

    double seconds = (now.time() - rateFrom.time()) / 1000.0;
    Map<String, Object> rates = new LinkedHashMap<>();
    rates.put("windowSeconds", seconds);
    rates.put("recordsPerSecond", seconds <= 0 ? 0 : (now.recordsIn() - rateFrom.recordsIn())
        / seconds);
    rates.put("forwardedPerSecond", seconds <= 0 ? 0 : (now.forwarded() - rateFrom.forwarded())
        / seconds);
    double routedInWindow = now.routed() - rateFrom.routed();
    Double forwardShare = null;
    if (routedInWindow > 0) {
      forwardShare = (now.forwarded() - rateFrom.forwarded()) / routedInWindow;
    } else if (now.routed() > 0) {
      forwardShare = now.forwarded() / now.routed();
    }
    rates.put("forwardShare", forwardShare);
    out.put("rates", rates);

    out.put("routes", now.routes());
    out.put("forwardByReason", now.forwardReasons());
    out.put("deadLettersByReason", now.dlqReasons());
    double windowSeconds = (now.time() - percentileFrom.time()) / 1000.0;
    out.put("batchSize", distribution(now.batch(), percentileFrom.batch(), windowSeconds));
    Map<String, Object> latency = new LinkedHashMap<>();
    latency.put("inference", distribution(now.inference(), percentileFrom.inference(),
        windowSeconds));
    latency.put("queueWait", distribution(now.queueWait(), percentileFrom.queueWait(),
        windowSeconds));
    out.put("latencyMs", latency);
    out.put("series", series(periodic));
    return out;
  }

  private static Map<String, Object> distribution(Histogram now, Histogram earlier,
      double windowSeconds) {
    Histogram recent = now.since(earlier);
    Histogram used = recent != null ? recent : now;
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("over", recent != null ? "last " + Math.round(windowSeconds) + " s" : "since start");
    d.put("count", used.count());
    d.put("mean", finite(used.mean()));
    d.put("p50", finite(used.quantile(0.50)));
    d.put("p95", finite(used.quantile(0.95)));
    d.put("p99", finite(used.quantile(0.99)));
    return d;
  }

  private static List<Map<String, Object>> series(List<Sample> ring) {
    List<Map<String, Object>> points = new ArrayList<>();
    for (int i = 1; i < ring.size(); i++) {
      Sample a = ring.get(i - 1);
      Sample b = ring.get(i);
      double seconds = (b.time() - a.time()) / 1000.0;
      if (seconds <= 0) {
        continue;
      }
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("t", b.time());
      p.put("recordsPerSecond", (b.recordsIn() - a.recordsIn()) / seconds);
      p.put("forwardedPerSecond", (b.forwarded() - a.forwarded()) / seconds);
      points.add(p);
    }
    return points;
  }

  private static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }

  private Sample read() {
    Map<String, Double> routes = MeterSums.byTag(registry, OperatorMeters.ROUTED.meterName(),
        "route");
    Map<String, Double> reasons = MeterSums.byTag(registry, OperatorMeters.ROUTED.meterName(),
        "reason", "route", CLOUD);
    Map<String, Double> dlq = MeterSums.byTag(registry, OperatorMeters.DLQ.meterName(),
        "reason");
    return new Sample(clock.millis(),
        MeterSums.counter(registry, OperatorMeters.RECORDS_IN.meterName()),
        MeterSums.counter(registry, OperatorMeters.BYTES_IN.meterName()),
        routes, reasons,
        MeterSums.counter(registry, OperatorMeters.ROUTED_BYTES.meterName(), "route", CLOUD),
        dlq,
        Histogram.of(registry.find(OperatorMeters.BATCH_SIZE.meterName()).summaries().stream()
            .map(DistributionSummary::takeSnapshot).toList(), false),
        Histogram.of(registry.find(OperatorMeters.INFERENCE_TIME.meterName()).timers().stream()
            .map(Timer::takeSnapshot).toList(), true),
        Histogram.of(registry.find(OperatorMeters.QUEUE_WAIT.meterName()).timers().stream()
            .map(Timer::takeSnapshot).toList(), true));
  }
}
