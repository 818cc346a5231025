package io.sluice.schemas;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps a flood of expected errors (10,000 malformed messages) from drowning the log: per key,
 * the first {@code perWindow} events of each window are logged, the rest only counted, and the
 * first event of the next window reports how many were suppressed. Thread-safe (stream tasks
 * have one each; a connector shares one between its threads).
 */
public final class LogLimiter {

  private final Clock clock;
  private final long windowMillis;
  private final int perWindow;
  private final Map<String, long[]> windows = new HashMap<>();

  public LogLimiter(Clock clock, long windowMillis, int perWindow) {
    this.clock = clock;
    this.windowMillis = windowMillis;
    this.perWindow = perWindow;
  }

  /**
   * Returns -1 when this event should not be logged, else the number of events suppressed for
   * this key since the last one logged (0 usually).
   */
  public synchronized long admit(String key) {
    long now = clock.millis();
    long[] w = windows.computeIfAbsent(key, k -> new long[] {now, 0, 0});
    if (now - w[0] >= windowMillis) {
      long suppressed = w[2];
      w[0] = now;
      w[1] = 1;
      w[2] = 0;
      return suppressed;
    }
    if (w[1] < perWindow) {
      w[1]++;
      return 0;
    }
    w[2]++;
    return -1;
  }
}
