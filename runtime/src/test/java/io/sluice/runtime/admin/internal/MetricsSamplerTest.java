package io.sluice.runtime.admin.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.operators.OperatorMeters;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dashboard's figures from the operators' meters, with a clock the test moves. */
class MetricsSamplerTest {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private Instant now = Instant.parse("2026-01-01T00:00:00Z");
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  };

  @Test
  @SuppressWarnings("unchecked")
  void totalsRatesSharesAndBytesSaved() {
    MetricsSampler sampler = new MetricsSampler(registry, clock);
    sampler.sample();
    now = now.plusSeconds(5);
    sampler.sample();
    OperatorMeters.RECORDS_IN.counter(registry, "source", "notes").increment(100);
    OperatorMeters.RECORDS_IN.counter(registry, "source", "sensors").increment(100);
    OperatorMeters.BYTES_IN.counter(registry, "source", "notes").increment(20_000);
    OperatorMeters.ROUTED.counter(registry, "pipeline", "p", "route", "local", "reason", "")
        .increment(150);
    OperatorMeters.ROUTED.counter(registry, "pipeline", "p", "route", "cloud", "reason", "NOVEL")
        .increment(30);
    OperatorMeters.ROUTED.counter(registry, "pipeline", "q", "route", "cloud", "reason",
        "ANOMALY").increment(10);
    OperatorMeters.ROUTED_BYTES.counter(registry, "pipeline", "p", "route", "cloud")
        .increment(5_000);
    OperatorMeters.DLQ.counter(registry, "source", "notes", "reason", "MALFORMED").increment(3);
    now = now.plusSeconds(10);

    Map<String, Object> s = sampler.summary();

    Map<String, Object> totals = (Map<String, Object>) s.get("totals");
    assertThat(totals.get("recordsIn")).isEqualTo(200.0);
    assertThat(totals.get("forwarded")).isEqualTo(40.0);
    assertThat(totals.get("bytesSaved")).isEqualTo(15_000.0);
    assertThat((double) totals.get("bytesSavedShare")).isCloseTo(0.75, within(1e-9));
    assertThat(totals.get("deadLetters")).isEqualTo(3.0);
    Map<String, Object> rates = (Map<String, Object>) s.get("rates");
    assertThat((double) rates.get("recordsPerSecond")).isCloseTo(200.0 / 15, within(1e-9));
    assertThat((double) rates.get("forwardShare")).isCloseTo(40.0 / 190, within(1e-9));
    assertThat(s.get("forwardByReason")).isEqualTo(Map.of("NOVEL", 30.0, "ANOMALY", 10.0));
    assertThat(s.get("deadLettersByReason")).isEqualTo(Map.of("MALFORMED", 3.0));
    assertThat(s.get("routes")).isEqualTo(Map.of("local", 150.0, "cloud", 40.0));
    List<Map<String, Object>> series = (List<Map<String, Object>>) s.get("series");
    assertThat(series).hasSize(1).allSatisfy(p ->
        assertThat((double) p.get("recordsPerSecond")).isZero());
    now = now.plusSeconds(1);
    sampler.sample();
    series = (List<Map<String, Object>>) sampler.summary().get("series");
    assertThat(series).hasSize(2);
    assertThat((double) series.get(1).get("recordsPerSecond")).isCloseTo(200.0 / 11,
        within(1e-9));
  }

  @Test
  @SuppressWarnings("unchecked")
  void percentilesCoverTheLastMinuteNotTheWholeRun() {
    MetricsSampler sampler = new MetricsSampler(registry, clock);
    Timer a = OperatorMeters.INFERENCE_TIME.timer(registry, "pipeline", "p", "model", "m");
    Timer b = OperatorMeters.INFERENCE_TIME.timer(registry, "pipeline", "q", "model", "m");
    DistributionSummary batch = OperatorMeters.BATCH_SIZE.summary(registry, "pipeline", "p");
    for (int i = 0; i < 1000; i++) {
      a.record(Duration.ofMillis(500)); // slow, long ago
    }
    sampler.sample();
    for (int i = 0; i < MetricsSampler.PERCENTILE_WINDOW_SAMPLES + 5; i++) {
      now = now.plusSeconds(1);
      sampler.sample();
    }
    for (int i = 0; i < 100; i++) {
      (i % 2 == 0 ? a : b).record(Duration.ofMillis(10 + i % 10));
      batch.record(8 + i % 4);
    }
    now = now.plusSeconds(1);

    Map<String, Object> s = sampler.summary();

    Map<String, Object> inference = (Map<String, Object>) ((Map<String, Object>)
        s.get("latencyMs")).get("inference");
    assertThat(inference.get("count")).isEqualTo(100.0);
    assertThat((String) inference.get("over")).startsWith("last");
    assertThat((double) inference.get("p50")).isBetween(8.0, 25.0);
    assertThat((double) inference.get("p99")).isLessThan(30.0);
    Map<String, Object> batches = (Map<String, Object>) s.get("batchSize");
    assertThat((double) batches.get("mean")).isCloseTo(9.5, within(1e-9));
    assertThat((double) batches.get("p95")).isBetween(9.0, 12.0);
  }

  @Test
  void quantilesInterpolateInsideTheBucket() {
    Histogram h = new Histogram(new double[] {10, 20, 40}, new double[] {0, 50, 100}, 100, 2500);
    Histogram ones = new Histogram(new double[] {1, 2, 4}, new double[] {90, 100, 100}, 100, 110);

    assertThat(ones.quantile(0.5)).isEqualTo(1.0);
    assertThat(ones.quantile(0.95)).isCloseTo(1.5, within(1e-9));
    assertThat(h.quantile(0.5)).isCloseTo(20.0, within(1e-9));
    assertThat(h.quantile(0.25)).isCloseTo(15.0, within(1e-9));
    assertThat(h.quantile(0.75)).isCloseTo(30.0, within(1e-9));
    assertThat(h.mean()).isEqualTo(25.0);
    assertThat(Histogram.EMPTY.quantile(0.5)).isNaN();
  }
}
