package io.sluice.connectors.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.connectors.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The relay loop against a target that acknowledges, fails and reconnects at random: whatever
 * happens, every record arrives, the first copy of each arrives in partition order, and no
 * offset is committed before the target has every record below it.
 */
class RelayLoopTest {

  private static final String TOPIC = "src";
  private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
  private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

  /** A MockConsumer that, like Kafka, delivers records again after a seek back. */
  static final class ReplayingConsumer extends MockConsumer<byte[], byte[]> {
    private final Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> log = new HashMap<>();

    ReplayingConsumer() {
      super("earliest");
    }

    void append(TopicPartition p, int count) {
      List<ConsumerRecord<byte[], byte[]>> records = log.computeIfAbsent(p, k -> new ArrayList<>());
      for (int i = 0; i < count; i++) {
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>(p.topic(), p.partition(),
            records.size(), ("k" + p.partition()).getBytes(), ("v" + records.size()).getBytes());
        records.add(r);
        addRecord(r);
      }
    }

    @Override
    public synchronized void seek(TopicPartition p, long offset) {
      super.seek(p, offset);
      for (ConsumerRecord<byte[], byte[]> r : log.getOrDefault(p, List.of())) {
        if (r.offset() >= offset) {
          addRecord(r);
        }
      }
    }
  }

  /** A target whose sends complete in order, when and how the test's dice say. */
  static class DiceTarget implements RelayLoop.Target {
    final Random random;
    final Deque<Object[]> pending = new ArrayDeque<>();
    final Map<TopicPartition, List<Long>> received = new HashMap<>();
    long epoch;
    int capacity = 7;
    boolean calm;

    DiceTarget(long seed) {
      this.random = new Random(seed);
    }

    @Override
    public boolean ready() {
      return true;
    }

    @Override
    public int capacity() {
      return capacity;
    }

    @Override
    public long epoch() {
      return epoch;
    }

    @Override
    public void send(ConsumerRecord<byte[], byte[]> record, RelayLoop.Completion done) {
      pending.addLast(new Object[] {record, done});
    }

    int resets;

    @Override
    public void reset(Exception cause) {
      resets++;
    }

    /** Lets time pass at the target: acknowledgements, a failure, or a reconnect. */
    void roll() {
      int dice = calm ? 0 : random.nextInt(10);
      if (dice <= 6) {
        deliver(random.nextInt(pending.size() + 1));
      } else if (dice <= 8) {
        deliver(random.nextInt(pending.size() + 1));
        while (!pending.isEmpty()) { // a failed send fails everything behind it
          ((RelayLoop.Completion) pending.pollFirst()[1]).failed(new RuntimeException("dice"));
        }
      } else {
        deliver(random.nextInt(pending.size() + 1)); // landed before the connection dropped
        pending.clear(); // the rest never arrived, and their callbacks never come
        epoch++;
      }
    }

    void deliver(int n) {
      for (int i = 0; i < n && !pending.isEmpty(); i++) {
        Object[] p = pending.pollFirst();
        @SuppressWarnings("unchecked")
        ConsumerRecord<byte[], byte[]> r = (ConsumerRecord<byte[], byte[]>) p[0];
        received.computeIfAbsent(new TopicPartition(r.topic(), r.partition()),
            k -> new ArrayList<>()).add(r.offset());
        ((RelayLoop.Completion) p[1]).delivered();
      }
    }
  }

  private static final RelayLoop.Meters NO_METERS = new RelayLoop.Meters() {
    @Override
    public void delivered(ConsumerRecord<byte[], byte[]> record) {}

    @Override
    public void skipped(ConsumerRecord<byte[], byte[]> record, String reason) {}

    @Override
    public void failed(Exception error) {}

    @Override
    public void rewound() {}

    @Override
    public void expired(long records) {}
  };

  private static RelayLoop loop(ReplayingConsumer consumer, RelayLoop.Target target,
      ManualClock clock, List<RelayLoop.Health> health) {
    RelayLoop.Settings settings = new RelayLoop.Settings("test", TOPIC, 10, Duration.ofSeconds(1),
        Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofMillis(100),
        Duration.ofSeconds(2));
    return new RelayLoop(settings, consumer, target, NO_METERS,
        (h, reason, lasted) -> health.add(h), () -> true, clock);
  }

  @Property(tries = 40)
  void everyRecordArrivesFirstCopiesInOrderAndCommitsNeverRunAhead(
      @ForAll @IntRange(min = 1, max = 60) int perPartition, @ForAll long seed) {
    ManualClock clock = new ManualClock(Instant.parse("2024-01-01T00:00:00Z"));
    ReplayingConsumer consumer = new ReplayingConsumer();
    DiceTarget target = new DiceTarget(seed);
    RelayLoop loop = loop(consumer, target, clock, new ArrayList<>());
    loop.open();
    consumer.rebalance(List.of(P0, P1));
    consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    consumer.append(P0, perPartition);
    consumer.append(P1, perPartition);

    for (int round = 0; round < 4_000; round++) {
      loop.step();
      target.roll();
      clock.advance(Duration.ofSeconds(1));
      if (round == 2_000) {
        target.calm = true; // the target recovers for good
      }
      assertCommitsCovered(consumer, target);
      if (target.calm && committed(consumer, P0) == perPartition
          && committed(consumer, P1) == perPartition) {
        break;
      }
    }
    for (TopicPartition p : List.of(P0, P1)) {
      assertThat(committed(consumer, p)).as("committed offset of %s", p).isEqualTo(perPartition);
      List<Long> firstCopies = new ArrayList<>(new java.util.LinkedHashSet<>(
          target.received.get(p)));
      List<Long> expected = new ArrayList<>();
      for (long o = 0; o < perPartition; o++) {
        expected.add(o);
      }
      assertThat(firstCopies).as("first copies of %s in order", p).isEqualTo(expected);
    }
    assertThat(loop.unfinished()).isZero();
  }

  @Test
  void reportsDownWhileSendsFailAndUpWhenTheyGoThroughAgain() {
    ManualClock clock = new ManualClock(Instant.parse("2024-01-01T00:00:00Z"));
    ReplayingConsumer consumer = new ReplayingConsumer();
    DiceTarget target = new DiceTarget(1);
    List<RelayLoop.Health> health = new ArrayList<>();
    RelayLoop loop = loop(consumer, target, clock, health);
    loop.open();
    consumer.rebalance(List.of(P0));
    consumer.updateBeginningOffsets(Map.of(P0, 0L));
    consumer.append(P0, 3);
    loop.step();
    assertThat(target.pending).hasSize(3);
    ((RelayLoop.Completion) target.pending.pollFirst()[1]).failed(new RuntimeException("gone"));
    target.pending.clear();
    loop.step(); // rewinds and backs off
    assertThat(loop.health()).isEqualTo(RelayLoop.Health.DOWN);
    assertThat(target.pending).as("nothing sent while backing off").isEmpty();
    clock.advance(Duration.ofSeconds(1));
    loop.step(); // backoff over: resends from offset 0
    assertThat(target.pending).hasSize(3);
    target.deliver(target.pending.size());
    clock.advance(Duration.ofSeconds(1));
    loop.step();
    assertThat(loop.health()).isEqualTo(RelayLoop.Health.UP);
    assertThat(health).containsExactly(RelayLoop.Health.DOWN, RelayLoop.Health.UP);
    assertThat(target.received.get(P0)).containsExactly(0L, 1L, 2L);
  }

  @Test
  void reportsDownWhenAcknowledgementsStall() {
    ManualClock clock = new ManualClock(Instant.parse("2024-01-01T00:00:00Z"));
    ReplayingConsumer consumer = new ReplayingConsumer();
    DiceTarget target = new DiceTarget(1);
    RelayLoop loop = loop(consumer, target, clock, new ArrayList<>());
    loop.open();
    consumer.rebalance(List.of(P0));
    consumer.updateBeginningOffsets(Map.of(P0, 0L));
    consumer.append(P0, 1);
    loop.step();
    clock.advance(Duration.ofSeconds(29));
    loop.step();
    assertThat(loop.health()).isEqualTo(RelayLoop.Health.UP);
    clock.advance(Duration.ofSeconds(2));
    loop.step();
    assertThat(loop.health()).isEqualTo(RelayLoop.Health.DOWN);
  }

  @Test
  void aTargetThatAnswersButNeverAcknowledgesIsResetAndSentToAgain() {
    ManualClock clock = new ManualClock(Instant.parse("2024-01-01T00:00:00Z"));
    ReplayingConsumer consumer = new ReplayingConsumer();
    DiceTarget target = new DiceTarget(1);
    RelayLoop loop = loop(consumer, target, clock, new ArrayList<>());
    loop.open();
    consumer.rebalance(List.of(P0));
    consumer.updateBeginningOffsets(Map.of(P0, 0L));
    consumer.append(P0, 2);
    loop.step();
    assertThat(target.pending).hasSize(2);
    target.pending.clear(); // a wedged client: these callbacks never come
    clock.advance(Duration.ofSeconds(119));
    loop.step();
    assertThat(target.resets).isZero();
    clock.advance(Duration.ofSeconds(2));
    loop.step(); // 121 s > 4 x 30 s stall timeout
    assertThat(target.resets).isEqualTo(1);
    clock.advance(Duration.ofSeconds(3));
    loop.step(); // backoff over: sent again
    assertThat(target.pending).hasSize(2);
    target.deliver(2);
    clock.advance(Duration.ofSeconds(2));
    loop.step();
    assertThat(committed(consumer, P0)).isEqualTo(2);
  }

  @Test
  void skippedRecordsAreCommittedPast() {
    ManualClock clock = new ManualClock(Instant.parse("2024-01-01T00:00:00Z"));
    ReplayingConsumer consumer = new ReplayingConsumer();
    Set<Long> sent = new HashSet<>();
    RelayLoop.Target skipping = new DiceTarget(1) {
      @Override
      public void send(ConsumerRecord<byte[], byte[]> record, RelayLoop.Completion done) {
        sent.add(record.offset());
        if (record.offset() == 1) {
          done.skipped("test");
        } else {
          done.delivered();
        }
      }
    };
    RelayLoop loop = loop(consumer, skipping, clock, new ArrayList<>());
    loop.open();
    consumer.rebalance(List.of(P0));
    consumer.updateBeginningOffsets(Map.of(P0, 0L));
    consumer.append(P0, 3);
    loop.step();
    clock.advance(Duration.ofSeconds(2));
    loop.step();
    assertThat(sent).containsExactlyInAnyOrder(0L, 1L, 2L);
    assertThat(committed(consumer, P0)).isEqualTo(3);
  }

  private static long committed(MockConsumer<byte[], byte[]> consumer, TopicPartition p) {
    OffsetAndMetadata o = consumer.committed(Set.of(p)).get(p);
    return o == null ? 0 : o.offset();
  }

  private static void assertCommitsCovered(MockConsumer<byte[], byte[]> consumer,
      DiceTarget target) {
    for (TopicPartition p : List.of(P0, P1)) {
      long committed = committed(consumer, p);
      Set<Long> got = new HashSet<>(target.received.getOrDefault(p, List.of()));
      for (long o = 0; o < committed; o++) {
        assertThat(got).as("offset %d of %s committed before the target had it", o, p)
            .contains(o);
      }
    }
  }
}
