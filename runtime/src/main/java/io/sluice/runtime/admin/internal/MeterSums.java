package io.sluice.runtime.admin.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.sluice.runtime.Metrics;
import java.util.Map;
import java.util.TreeMap;

/** Sums of counters across the tags a view does not split by. */
final class MeterSums {

  private MeterSums() {}

  /** The sum of every counter named {@code name} with these tag pairs. */
  static double counter(MeterRegistry registry, String name, String... tags) {
    return Metrics.counterSum(registry, name, tags);
  }

  /** Counter sums keyed by the value of {@code splitTag}, among those with {@code tags}. */
  static Map<String, Double> byTag(MeterRegistry registry, String name, String splitTag,
      String... tags) {
    Map<String, Double> out = new TreeMap<>();
    Search search = registry.find(name).tags(tags);
    for (Counter c : search.counters()) {
      String key = c.getId().getTag(splitTag);
      out.merge(key == null || key.isEmpty() ? "none" : key, c.count(), Double::sum);
    }
    return out;
  }
}
