package io.sluice.lab.fleet;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Settles the books of a run after its devices stopped publishing, for the demo and the
 * benchmarks: every event the broker acknowledged is delivered (in an output), dead-lettered,
 * dropped by a route, still on its way (a <b>backlog</b>), or <b>lost</b>.
 *
 * <p>It waits while outputs still grow, up to {@code limit}. It stops early when everything is
 * accounted for, or when outputs have not moved for {@code quiet} and nothing is known to be on
 * its way. What is missing then is lost. What is missing when {@code limit} comes while outputs
 * still grow is a backlog; if they have stopped but records still wait (at the broker, or in an
 * input topic the stream has not read), those are a backlog and only the rest is lost. A
 * backlog is never reported as a loss.
 */
public final class Settlement {

  /**
   * One look at the outputs.
   *
   * @param delivered distinct events in the outputs
   * @param duplicated output records beyond the first of their event
   * @param onTheirWay records known to be on their way: queued at the broker for the ingress,
   *     or in an input topic and not yet read by the stream
   */
  public record Counts(long delivered, long deadLettered, long dropped, long duplicated,
      long onTheirWay) {
    long accounted() {
      return delivered + deadLettered + dropped;
    }
  }

  /**
   * The settled books.
   *
   * @param settled true when the outputs stopped moving (or held everything) before the limit
   * @param waitedMillis how long the settlement waited after publishing stopped
   */
  public record Books(long published, long delivered, long deadLettered, long dropped,
      long duplicated, long backlog, long lost, boolean settled, long waitedMillis) {

    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("published", published);
      m.put("delivered", delivered);
      m.put("dlq", deadLettered);
      m.put("dropped", dropped);
      m.put("duplicated", duplicated);
      m.put("backlog", backlog);
      m.put("lost", lost);
      m.put("settled", settled);
      m.put("waited_ms", waitedMillis);
      return m;
    }
  }

  /** How the settlement waits between two looks; a test advances its clock instead. */
  @FunctionalInterface
  public interface Pause {
    void pause(Duration d) throws InterruptedException;

    static Pause sleeping() {
      return d -> Thread.sleep(d.toMillis());
    }
  }

  private final Clock clock;
  private final Pause pause;
  private final Duration quiet;
  private final Duration limit;
  private final Duration every;

  /**
   * @param quiet how long outputs must stand still, with nothing on its way, to call the rest
   *     lost
   * @param limit the longest wait
   * @param every how often to look
   */
  public Settlement(Clock clock, Pause pause, Duration quiet, Duration limit, Duration every) {
    this.clock = clock;
    this.pause = pause;
    this.quiet = quiet;
    this.limit = limit;
    this.every = every;
  }

  /** 10 s of quiet, at most 120 s, a look every 100 ms. */
  public static Settlement defaults(Clock clock) {
    return new Settlement(clock, Pause.sleeping(), Duration.ofSeconds(10),
        Duration.ofSeconds(120), Duration.ofMillis(100));
  }

  /** Waits as described above and returns the books for {@code published} events. */
  public Books settle(long published, Supplier<Counts> look) throws InterruptedException {
    return settle(published, look, () -> false);
  }

  /**
   * As {@link #settle(long, Supplier)}, but stops waiting as soon as {@code giveUp} says so (a
   * user pressed Ctrl-C), settling as at the limit.
   */
  public Books settle(long published, Supplier<Counts> look, BooleanSupplier giveUp)
      throws InterruptedException {
    long start = clock.millis();
    Counts last = look.get();
    long lastChange = start;
    while (true) {
      long now = clock.millis();
      long missing = Math.max(0, published - last.accounted());
      if (missing == 0) {
        return books(published, last, 0, 0, true, now - start);
      }
      boolean still = now - lastChange >= quiet.toMillis();
      if (still && last.onTheirWay() == 0) {
        return books(published, last, 0, missing, true, now - start);
      }
      if (now - start >= limit.toMillis() || giveUp.getAsBoolean()) {
        long backlog = still ? Math.min(missing, last.onTheirWay()) : missing;
        return books(published, last, backlog, missing - backlog, false, now - start);
      }
      pause.pause(every);
      Counts next = look.get();
      if (next.accounted() != last.accounted() || next.onTheirWay() != last.onTheirWay()) {
        lastChange = clock.millis();
      }
      last = next;
    }
  }

  private static Books books(long published, Counts c, long backlog, long lost, boolean settled,
      long waited) {
    return new Books(published, c.delivered(), c.deadLettered(), c.dropped(), c.duplicated(),
        backlog, lost, settled, waited);
  }
}
