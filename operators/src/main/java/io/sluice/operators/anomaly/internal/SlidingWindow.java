package io.sluice.operators.anomaly.internal;

import java.util.Arrays;

/**
 * The last {@code capacity} values of a stream, kept twice: in arrival order (a ring, which says
 * which value leaves next) and sorted (which answers quantiles in constant time). Adding a value
 * when full removes the oldest from the sorted copy by binary search and inserts the new one with
 * one array shift, so a step costs O(capacity) memory moves and no allocation. Only the ring is
 * part of the serialised state; the sorted copy is rebuilt from it.
 */
final class SlidingWindow {

  private final double[] ring;
  private final double[] sorted;
  private int size;
  private int next;

  public SlidingWindow(int capacity) {
    if (capacity < 4) {
      throw new IllegalArgumentException("window capacity must be at least 4, got " + capacity);
    }
    ring = new double[capacity];
    sorted = new double[capacity];
  }

  public int size() {
    return size;
  }

  public int capacity() {
    return ring.length;
  }

  /** Adds {@code value}, dropping the oldest value when the window is full. */
  public void add(double value) {
    if (size == ring.length) {
      double oldest = ring[next];
      int at = Arrays.binarySearch(sorted, 0, size, oldest);
      System.arraycopy(sorted, at + 1, sorted, at, size - at - 1);
      size--;
    }
    ring[next] = value;
    next = (next + 1) % ring.length;
    int insertAt = Arrays.binarySearch(sorted, 0, size, value);
    if (insertAt < 0) {
      insertAt = -insertAt - 1;
    }
    System.arraycopy(sorted, insertAt, sorted, insertAt + 1, size - insertAt);
    sorted[insertAt] = value;
    size++;
  }

  /** The {@code q}-quantile (0..1) by linear interpolation between order statistics. */
  public double quantile(double q) {
    if (size == 0) {
      return Double.NaN;
    }
    double position = q * (size - 1);
    int low = (int) Math.floor(position);
    int high = Math.min(low + 1, size - 1);
    double fraction = position - low;
    return sorted[low] + (sorted[high] - sorted[low]) * fraction;
  }

  /** How many values in the window lie within {@code radius} of {@code value}. */
  public int countWithin(double value, double radius) {
    int from = lowerBound(value - radius);
    int to = lowerBound(Math.nextUp(value + radius));
    return to - from;
  }

  private int lowerBound(double value) {
    int low = 0;
    int high = size;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (sorted[mid] < value) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  /** The most recent value, or NaN when empty. */
  public double newest() {
    return size == 0 ? Double.NaN : ring[(next - 1 + ring.length) % ring.length];
  }

  /** The values in arrival order, oldest first (a copy). */
  public double[] toArray() {
    double[] values = new double[size];
    int start = (next - size + ring.length) % ring.length;
    for (int i = 0; i < size; i++) {
      values[i] = ring[(start + i) % ring.length];
    }
    return values;
  }

  void write(StateOutput out) {
    out.writeInt(size);
    int start = (next - size + ring.length) % ring.length;
    for (int i = 0; i < size; i++) {
      out.writeDouble(ring[(start + i) % ring.length]);
    }
  }

  void read(StateInput in) {
    int stored = in.readInt("window size");
    if (stored < 0 || stored > ring.length) {
      throw new IllegalStateException(
          "window size " + stored + " does not fit capacity " + ring.length);
    }
    size = 0;
    next = 0;
    for (int i = 0; i < stored; i++) {
      add(in.readDouble("window value"));
    }
  }
}
