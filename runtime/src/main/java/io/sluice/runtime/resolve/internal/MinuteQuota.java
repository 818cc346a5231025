package io.sluice.runtime.resolve.internal;

import java.time.Clock;

/**
 * A per-minute allowance (requests or tokens started in the current clock minute), on an
 * injected clock. Zero means no limit. Callers synchronise.
 */
public final class MinuteQuota {

  private final long perMinute;
  private final Clock clock;
  private long minute = Long.MIN_VALUE;
  private long used;

  public MinuteQuota(long perMinute, Clock clock) {
    this.perMinute = perMinute;
    this.clock = clock;
  }

  /** Whether {@code amount} more fits this minute (always true for a first use in a minute). */
  public boolean fits(long amount) {
    roll();
    return perMinute <= 0 || used == 0 || used + amount <= perMinute;
  }

  /** Counts {@code amount} (may be negative, to correct an estimate). */
  public void add(long amount) {
    roll();
    used = Math.max(0, used + amount);
  }

  /** Milliseconds until the next minute starts. */
  public long millisToNextMinute() {
    long now = clock.millis();
    return 60_000 - Math.floorMod(now, 60_000L);
  }

  private void roll() {
    long now = Math.floorDiv(clock.millis(), 60_000L);
    if (now != minute) {
      minute = now;
      used = 0;
    }
  }
}
