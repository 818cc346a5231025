package io.sluice.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.connectors.ConnectorMeters;
import io.sluice.inference.InferenceMeter;
import io.sluice.operators.OperatorMeters;
import io.sluice.runtime.AppMeters;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every meter is in the reference, and the Prometheus name the reference gives is the one a
 * registry really exports when the meter is registered through its enum.
 */
class MetricsReferenceTest {

  @Test
  void everyDocumentedPrometheusNameIsWhatTheRegistryExports() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AtomicInteger value = new AtomicInteger(1);
    for (OperatorMeters m : OperatorMeters.values()) {
      switch (m.type()) {
        case "counter" -> m.counter(registry, "t", "x").increment();
        case "summary" -> m.summary(registry, "t", "x").record(1);
        case "timer" -> m.timer(registry, "t", "x").record(java.time.Duration.ofMillis(1));
        default -> m.gauge(registry, value, AtomicInteger::get, "t", "x");
      }
    }
    for (ConnectorMeters m : ConnectorMeters.values()) {
      if (m.type().equals("counter")) {
        m.counter(registry, "t", "x").increment();
      } else {
        m.gauge(registry, value, AtomicInteger::get, "t", "x");
      }
    }
    for (InferenceMeter m : InferenceMeter.values()) {
      switch (m.type()) {
        case COUNTER -> m.counter(registry, "m@1").increment();
        case SUMMARY -> m.summary(registry, "m@1").record(1);
        case TIMER -> m.timer(registry, "m@1").record(java.time.Duration.ofMillis(1));
        case GAUGE -> m.gauge(registry, "m@1", value::get);
      }
    }
    for (AppMeters m : AppMeters.values()) {
      if (m.type().equals("timer")) {
        m.timer(registry, "t", "x").record(java.time.Duration.ofMillis(1));
      } else if (m.type().equals("gauge")) {
        m.gauge(registry, value, AtomicInteger::get, "t", "x");
      } else {
        m.counter(registry, "t", "x").increment();
      }
    }
    String scrape = registry.scrape();
    String reference = MetricsReference.markdown();

    List<String> documented = new ArrayList<>();
    Matcher row = Pattern.compile("\\| `([a-z.]+)` \\| `([a-z_]+)` \\| (\\w+) \\|")
        .matcher(reference);
    while (row.find()) {
      documented.add(row.group(1));
      String exported = row.group(2);
      String type = row.group(3);
      String sample = type.equals("timer") ? exported + "_count" : type.equals("summary")
          ? exported + "_count" : exported;
      assertThat(scrape).as("%s exported as %s", row.group(1), sample)
          .containsPattern("(?m)^" + Pattern.quote(sample) + "\\{");
    }
    assertThat(documented).hasSize(OperatorMeters.values().length
        + ConnectorMeters.values().length + InferenceMeter.values().length
        + AppMeters.values().length);
  }
}
