package io.sluice.connectors.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {

  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TopicPartition P1 = new TopicPartition("t", 1);

  /** A committable offset never passes a record that is not finished. */
  @Property(tries = 200)
  void neverCommitsPastAnUnfinishedRecord(@ForAll @IntRange(min = 1, max = 80) int n,
      @ForAll long seed) {
    OffsetTracker tracker = new OffsetTracker();
    List<OffsetTracker.Ticket> tickets = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      tickets.add(tracker.take(i % 2 == 0 ? P0 : P1, 100 + i / 2));
    }
    Collections.shuffle(tickets, new Random(seed));
    boolean[][] finished = new boolean[2][n];
    long[] committed = {100, 100};
    for (OffsetTracker.Ticket t : tickets) {
      tracker.finish(t);
      finished[t.partition().partition()][(int) (t.offset() - 100)] = true;
      for (Map.Entry<TopicPartition, OffsetAndMetadata> e : tracker.drainCommittable().entrySet()) {
        int p = e.getKey().partition();
        long offset = e.getValue().offset();
        assertThat(offset).as("commits move forward").isGreaterThan(committed[p]);
        for (long o = 100; o < offset; o++) {
          assertThat(finished[p][(int) (o - 100)]).as("offset %d of partition %d", o, p).isTrue();
        }
        committed[p] = offset;
      }
    }
    int inP0 = (n + 1) / 2;
    int inP1 = n / 2;
    assertThat(committed[0]).isEqualTo(100 + inP0);
    if (inP1 > 0) {
      assertThat(committed[1]).isEqualTo(100 + inP1);
    }
    assertThat(tracker.unfinished()).isZero();
  }

  @Test
  void firstUnfinishedIsWhereToRewindAndForgottenTicketsAreIgnored() {
    OffsetTracker tracker = new OffsetTracker();
    OffsetTracker.Ticket a = tracker.take(P0, 5);
    OffsetTracker.Ticket b = tracker.take(P0, 6);
    OffsetTracker.Ticket c = tracker.take(P0, 7);
    tracker.finish(a);
    tracker.finish(c);
    assertThat(tracker.firstUnfinished(P0)).hasValue(6);
    assertThat(tracker.drainCommittable()).containsEntry(P0, new OffsetAndMetadata(6));

    tracker.forget(List.of(P0));
    assertThat(tracker.firstUnfinished(P0)).isEmpty();
    tracker.finish(b); // late, from before the rewind
    assertThat(tracker.drainCommittable()).isEmpty();

    OffsetTracker.Ticket again = tracker.take(P0, 6);
    tracker.finish(again);
    assertThat(tracker.drainCommittable()).containsEntry(P0, new OffsetAndMetadata(7));
  }

  @Test
  void revokedPartitionsDropTheirCommittableOffsets() {
    OffsetTracker tracker = new OffsetTracker();
    tracker.finish(tracker.take(P0, 0));
    tracker.finish(tracker.take(P1, 0));
    tracker.revoke(List.of(P1));
    assertThat(tracker.drainCommittable()).containsOnlyKeys(P0);
  }
}
