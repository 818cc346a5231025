package io.sluice.inference;

/**
 * A source of nanoseconds for measuring waits, injected so tests can move time by hand.
 */
@FunctionalInterface
public interface Ticker {

  /** Nanoseconds from an arbitrary origin; only differences matter. */
  long read();

  /** The JVM's monotonic clock. */
  static Ticker system() {
    return System::nanoTime;
  }
}
