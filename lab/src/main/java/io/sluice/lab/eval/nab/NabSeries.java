package io.sluice.lab.eval.nab;

import java.util.List;

/**
 * One NAB data file: its readings and its labelled anomaly windows as row ranges.
 *
 * @param name path relative to the data folder, with '/' separators, as in combined_windows.json
 */
public record NabSeries(String name, long[] timestamps, double[] values, List<Window> windows) {

  /** A labelled window: rows {@code first..last}, both inclusive. */
  public record Window(int first, int last) {
    public Window {
      if (first < 0 || last < first) {
        throw new IllegalArgumentException("window rows must satisfy 0 <= first <= last, got "
            + first + ".." + last);
      }
    }

    public int length() {
      return last - first + 1;
    }
  }

  public NabSeries {
    if (timestamps.length != values.length) {
      throw new IllegalArgumentException(name + ": " + timestamps.length + " timestamps but "
          + values.length + " values");
    }
    windows = List.copyOf(windows);
    for (int i = 1; i < windows.size(); i++) {
      if (windows.get(i).first() <= windows.get(i - 1).last()) {
        throw new IllegalArgumentException(name + ": anomaly windows overlap or are out of order: "
            + windows.get(i - 1) + " then " + windows.get(i));
      }
    }
    if (!windows.isEmpty() && windows.get(windows.size() - 1).last() >= values.length) {
      throw new IllegalArgumentException(name + ": window " + windows.get(windows.size() - 1)
          + " ends past the last row " + (values.length - 1));
    }
  }

  public int size() {
    return values.length;
  }

  /** Whether row {@code row} lies in a labelled window. */
  public boolean inWindow(int row) {
    for (Window window : windows) {
      if (row >= window.first() && row <= window.last()) {
        return true;
      }
    }
    return false;
  }
}
