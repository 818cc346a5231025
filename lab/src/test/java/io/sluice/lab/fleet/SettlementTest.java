package io.sluice.lab.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.connectors.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SettlementTest {

  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-08T00:00:00Z"));
  private final Settlement settlement = new Settlement(clock, clock::advance,
      Duration.ofSeconds(10), Duration.ofSeconds(120), Duration.ofSeconds(1));

  /** Looks that follow the script, then repeat its last entry. */
  private static Supplier<Settlement.Counts> script(List<Settlement.Counts> counts) {
    Deque<Settlement.Counts> left = new ArrayDeque<>(counts);
    return () -> left.size() > 1 ? left.poll() : left.peek();
  }

  private static Settlement.Counts counts(long delivered, long onTheirWay) {
    return new Settlement.Counts(delivered, 2, 1, 0, onTheirWay);
  }

  @Test
  void stopsAsSoonAsEverythingIsAccountedFor() throws Exception {
    Settlement.Books books = settlement.settle(100, script(List.of(counts(50, 47),
        counts(90, 7), counts(97, 0))));
    assertThat(books.lost()).isZero();
    assertThat(books.backlog()).isZero();
    assertThat(books.delivered()).isEqualTo(97);
    assertThat(books.settled()).isTrue();
    assertThat(books.waitedMillis()).isEqualTo(2_000);
  }

  @Test
  void whatIsMissingOnceOutputsStandStillWithNothingOnItsWayIsLost() throws Exception {
    Settlement.Books books = settlement.settle(100, script(List.of(counts(80, 5),
        counts(90, 0))));
    assertThat(books.lost()).isEqualTo(7);
    assertThat(books.backlog()).isZero();
    assertThat(books.settled()).isTrue();
    assertThat(books.waitedMillis()).isEqualTo(11_000);
  }

  @Test
  void outputsStillGrowingAtTheLimitAreABacklogNotALoss() throws Exception {
    long[] delivered = {0};
    Settlement.Books books = settlement.settle(1_000, () -> {
      delivered[0] += 3;
      return counts(delivered[0], 1_000 - delivered[0]);
    });
    assertThat(books.lost()).isZero();
    assertThat(books.backlog()).isEqualTo(1_000 - 3 - books.delivered());
    assertThat(books.settled()).isFalse();
    assertThat(books.waitedMillis()).isEqualTo(120_000);
  }

  @Test
  void aStuckStreamKeepsItsWaitingRecordsAsBacklogAndLosesOnlyTheRest() throws Exception {
    // outputs stopped moving, yet 20 records wait in an input topic and never drain
    Settlement.Books books = settlement.settle(100, script(List.of(counts(60, 20))));
    assertThat(books.backlog()).isEqualTo(20);
    assertThat(books.lost()).isEqualTo(17);
    assertThat(books.settled()).isFalse();
  }
}
