package io.sluice.lab.bench;

import java.util.List;

/** The median the benchmarks report: of repeated runs, so one slow or lucky run moves nothing. */
public final class Medians {

  private Medians() {}

  /** The middle value, or the mean of the two middle ones; NaN for no values. */
  public static double of(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = sorted.length;
    if (n == 0) {
      return Double.NaN;
    }
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
