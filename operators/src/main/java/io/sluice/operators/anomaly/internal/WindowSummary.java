package io.sluice.operators.anomaly.internal;

/**
 * Running statistics of the normal readings of one tumbling window (Welford's update for mean
 * and variance, so no reading is kept), plus the count of flagged readings.
 */
final class WindowSummary {

  private long start = Long.MIN_VALUE;
  private long count;
  private long anomalies;
  private double min;
  private double max;
  private double mean;
  private double m2;

  public boolean open() {
    return start != Long.MIN_VALUE;
  }

  public long start() {
    return start;
  }

  public long count() {
    return count;
  }

  public long anomalies() {
    return anomalies;
  }

  public double min() {
    return min;
  }

  public double max() {
    return max;
  }

  public double mean() {
    return mean;
  }

  /** Population standard deviation. */
  public double std() {
    return count == 0 ? 0 : Math.sqrt(m2 / count);
  }

  public void reset(long windowStart) {
    start = windowStart;
    count = 0;
    anomalies = 0;
    min = 0;
    max = 0;
    mean = 0;
    m2 = 0;
  }

  public void close() {
    reset(Long.MIN_VALUE);
  }

  public void addNormal(double value) {
    count++;
    if (count == 1) {
      min = value;
      max = value;
    } else {
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
    double delta = value - mean;
    mean += delta / count;
    m2 += delta * (value - mean);
  }

  public void addAnomaly() {
    anomalies++;
  }

  void write(StateOutput out) {
    out.writeLong(start);
    out.writeLong(count);
    out.writeLong(anomalies);
    out.writeDouble(min);
    out.writeDouble(max);
    out.writeDouble(mean);
    out.writeDouble(m2);
  }

  void read(StateInput in) {
    start = in.readLong("window start");
    count = in.readLong("window count");
    anomalies = in.readLong("window anomalies");
    min = in.readDouble("window min");
    max = in.readDouble("window max");
    mean = in.readDouble("window mean");
    m2 = in.readDouble("window m2");
  }
}
