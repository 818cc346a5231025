package io.sluice.connectors.internal;

import java.time.Duration;

/**
 * Exponential backoff between retries: {@code min}, then doubling up to {@code max}; reset after a
 * success. Deterministic (no jitter), so tests can predict it. Not thread-safe: one owner.
 */
public final class Backoff {

  private final long minMillis;
  private final long maxMillis;
  private int failures;

  public Backoff(Duration min, Duration max) {
    if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException("backoff needs 0 < min <= max, got " + min + " and "
          + max);
    }
    this.minMillis = min.toMillis();
    this.maxMillis = max.toMillis();
  }

  /** The delay before the next attempt, counting one more failure. */
  public Duration next() {
    long delay = Math.min(maxMillis, minMillis << Math.min(failures, 30));
    failures++;
    return Duration.ofMillis(delay);
  }

  /** Failures since the last {@link #reset()}. */
  public int failures() {
    return failures;
  }

  public void reset() {
    failures = 0;
  }
}
