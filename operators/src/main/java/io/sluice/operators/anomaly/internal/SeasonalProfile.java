package io.sluice.operators.anomaly.internal;

/**
 * The expected value of a stream at each phase of a period (for example each 5-minute slot of a
 * day), learned as an exponentially weighted average across periods: slot {@code b} holds what
 * the stream did at that time of day on the previous days. Empty slots (sparse data) borrow
 * nothing; the caller asks {@link #knows} first. Time is the reading's timestamp, never a clock.
 */
final class SeasonalProfile {

  private final long periodMillis;
  private final double[] expected;
  private final int[] seen;
  private final double smoothing;
  private long firstTimestamp = Long.MIN_VALUE;

  public SeasonalProfile(long periodMillis, int buckets, double smoothing) {
    this.periodMillis = periodMillis;
    this.expected = new double[buckets];
    this.seen = new int[buckets];
    this.smoothing = smoothing;
  }

  public int bucket(long timestampMillis) {
    long phase = Math.floorMod(timestampMillis, periodMillis);
    return (int) (phase * expected.length / periodMillis);
  }

  /**
   * Whether the profile can say what to expect in slot {@code bucket} at {@code timestampMillis}:
   * the slot has data and the stream has run for at least {@code periods} whole periods.
   */
  public boolean knows(int bucket, long timestampMillis, int periods) {
    return seen[bucket] > 0 && firstTimestamp != Long.MIN_VALUE
        && timestampMillis - firstTimestamp >= periods * periodMillis;
  }

  public double expected(int bucket) {
    return expected[bucket];
  }

  /** Learns {@code value} for its slot. Several readings in one slot and period all count. */
  public void update(int bucket, long timestampMillis, double value) {
    if (firstTimestamp == Long.MIN_VALUE) {
      firstTimestamp = timestampMillis;
    }
    if (seen[bucket] == 0) {
      expected[bucket] = value;
    } else {
      expected[bucket] += smoothing * (value - expected[bucket]);
    }
    if (seen[bucket] < Integer.MAX_VALUE) {
      seen[bucket]++;
    }
  }

  void write(StateOutput out) {
    out.writeLong(firstTimestamp);
    out.writeInt(expected.length);
    for (int i = 0; i < expected.length; i++) {
      out.writeInt(seen[i]);
      if (seen[i] > 0) {
        out.writeDouble(expected[i]);
      }
    }
  }

  void read(StateInput in) {
    firstTimestamp = in.readLong("season start");
    int buckets = in.readInt("season buckets");
    if (buckets != expected.length) {
      throw new IllegalStateException(
          "state has " + buckets + " season buckets, settings say " + expected.length);
    }
    for (int i = 0; i < buckets; i++) {
      seen[i] = in.readInt("season bucket count");
      expected[i] = seen[i] > 0 ? in.readDouble("season bucket value") : 0;
    }
  }
}
