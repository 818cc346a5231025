package io.sluice.runtime.admin.internal;

import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Cumulative bucket counts of one or more meters merged by bucket bound, and percentiles from
 * them the way Prometheus's {@code histogram_quantile} computes them: find the bucket where the
 * rank falls and interpolate linearly inside it. The difference of two snapshots of a cumulative
 * histogram is the histogram of what happened in between, which is how the dashboard shows
 * percentiles of the last minute rather than since start.
 *
 * @param bounds upper bound of each bucket (milliseconds for timers)
 * @param cumulative observations at or below each bound
 * @param count all observations
 * @param total sum of all observations (milliseconds for timers)
 */
record Histogram(double[] bounds, double[] cumulative, double count, double total) {

  static final Histogram EMPTY = new Histogram(new double[0], new double[0], 0, 0);

  /** Merges snapshots; timers' buckets and totals in milliseconds when {@code timer}. */
  static Histogram of(Collection<HistogramSnapshot> snapshots, boolean timer) {
    Map<Double, Double> merged = new TreeMap<>();
    double count = 0;
    double total = 0;
    for (HistogramSnapshot s : snapshots) {
      count += s.count();
      total += timer ? s.total(TimeUnit.MILLISECONDS) : s.total();
      for (CountAtBucket b : s.histogramCounts()) {
        double bound = timer ? b.bucket(TimeUnit.MILLISECONDS) : b.bucket();
        merged.merge(bound, b.count(), Double::sum);
      }
    }
    double[] bounds = new double[merged.size()];
    double[] cumulative = new double[merged.size()];
    int i = 0;
    for (Map.Entry<Double, Double> e : merged.entrySet()) {
      bounds[i] = e.getKey();
      cumulative[i++] = e.getValue();
    }
    return new Histogram(bounds, cumulative, count, total);
  }

  /** What was observed after {@code earlier}; null when the bounds differ or nothing happened. */
  Histogram since(Histogram earlier) {
    if (earlier == null || earlier.bounds.length != bounds.length || count <= earlier.count) {
      return null;
    }
    double[] delta = new double[bounds.length];
    for (int i = 0; i < bounds.length; i++) {
      if (bounds[i] != earlier.bounds[i]) {
        return null;
      }
      delta[i] = Math.max(0, cumulative[i] - earlier.cumulative[i]);
    }
    return new Histogram(bounds, delta, count - earlier.count, total - earlier.total);
  }

  double mean() {
    return count == 0 ? Double.NaN : total / count;
  }

  /**
   * The {@code q} quantile (0 to 1), or NaN without observations or buckets. Inside the first
   * bucket the answer is its upper bound rather than a value interpolated from zero, which
   * would claim batches of 0.6 records.
   */
  double quantile(double q) {
    if (count <= 0 || bounds.length == 0) {
      return Double.NaN;
    }
    double rank = q * count;
    double previousBound = 0;
    double previousCount = 0;
    for (int i = 0; i < bounds.length; i++) {
      if (cumulative[i] >= rank) {
        if (i == 0) {
          return bounds[0];
        }
        double inBucket = cumulative[i] - previousCount;
        double share = inBucket <= 0 ? 1 : (rank - previousCount) / inBucket;
        return previousBound + (bounds[i] - previousBound) * share;
      }
      previousBound = bounds[i];
      previousCount = cumulative[i];
    }
    return bounds[bounds.length - 1];
  }
}
