package io.sluice.lab.soak.internal;

import io.sluice.lab.soak.FaultPlan;
import java.util.ArrayList;
import java.util.List;

/**
 * What a soak run saw over time: cumulative counts sampled about once a second, and the moments
 * faults were injected. Turns the counts into rates for the chart.
 */
public final class Timeline {

  /** Cumulative counts at {@code seconds} after the devices started. */
  public record Sample(double seconds, long published, long delivered, long forwarded,
      long deadLettered) {}

  /** A fault injected at {@code seconds}. */
  public record Mark(double seconds, FaultPlan.Kind kind) {}

  private final List<Sample> samples = new ArrayList<>();
  private final List<Mark> marks = new ArrayList<>();

  public synchronized void sample(Sample sample) {
    samples.add(sample);
  }

  public synchronized void mark(Mark mark) {
    marks.add(mark);
  }

  public synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  public synchronized List<Mark> marks() {
    return List.copyOf(marks);
  }

  /** Which count to turn into a rate. */
  public enum Series { PUBLISHED, DELIVERED, FORWARDED }

  /**
   * Events per second of a count, averaged over the {@code window} seconds up to each sample
   * (a trailing average, so a burst after an outage shows as a burst, not before it).
   *
   * @return x (seconds) and y (events/s), one point per sample after the first
   */
  public synchronized double[][] rate(Series series, double window) {
    int n = samples.size();
    double[] x = new double[Math.max(0, n - 1)];
    double[] y = new double[Math.max(0, n - 1)];
    int from = 0;
    for (int i = 1; i < n; i++) {
      Sample now = samples.get(i);
      while (from < i - 1 && now.seconds() - samples.get(from + 1).seconds() >= window) {
        from++;
      }
      Sample then = samples.get(from);
      double dt = now.seconds() - then.seconds();
      x[i - 1] = now.seconds();
      y[i - 1] = dt <= 0 ? 0 : (value(now, series) - value(then, series)) / dt;
    }
    return new double[][] {x, y};
  }

  private static long value(Sample s, Series series) {
    return switch (series) {
      case PUBLISHED -> s.published();
      case DELIVERED -> s.delivered();
      case FORWARDED -> s.forwarded();
    };
  }
}
