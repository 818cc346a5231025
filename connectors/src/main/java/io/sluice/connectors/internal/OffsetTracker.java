package io.sluice.connectors.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which Kafka offsets a consumer may commit when records are finished out of order: a record is
 * taken ({@link #take}) in offset order per partition and finished ({@link #finish}) whenever its
 * target acknowledges it; the committable offset of a partition only moves past a record once it
 * and every record before it are finished. So a crash re-reads what was not acknowledged, never
 * skips it (at-least-once). {@link #firstUnfinished} is where to rewind after a failure.
 *
 * <p>Thread-safe: records are taken on the consumer's thread and finished on a client's callback
 * thread. Forgotten partitions ignore late finishes of their old records.
 */
final class OffsetTracker {

  /** One taken record. */
  public static final class Ticket {
    private final TopicPartition partition;
    private final long offset;
    private final OrderedAcks<Long> line;
    private final OrderedAcks.Slot<Long> slot;

    private Ticket(TopicPartition partition, long offset, OrderedAcks<Long> line,
        OrderedAcks.Slot<Long> slot) {
      this.partition = partition;
      this.offset = offset;
      this.line = line;
      this.slot = slot;
    }

    public TopicPartition partition() {
      return partition;
    }

    public long offset() {
      return offset;
    }
  }

  private final Map<TopicPartition, OrderedAcks<Long>> lines = new HashMap<>();
  private final Map<TopicPartition, Long> committable = new HashMap<>();

  /** Takes the record at {@code offset}; offsets of a partition must be taken in order. */
  public synchronized Ticket take(TopicPartition partition, long offset) {
    OrderedAcks<Long> line = lines.computeIfAbsent(partition, p -> new OrderedAcks<>());
    return new Ticket(partition, offset, line, line.arrive(offset));
  }

  /** Marks a record finished (its target acknowledged it, or it is deliberately skipped). */
  public synchronized void finish(Ticket ticket) {
    List<Long> done = ticket.line.complete(ticket.slot);
    if (!done.isEmpty() && lines.get(ticket.partition) == ticket.line) {
      committable.put(ticket.partition, done.get(done.size() - 1) + 1);
    }
  }

  /** Offsets that advanced since the last call, ready to commit; clears them. */
  public synchronized Map<TopicPartition, OffsetAndMetadata> drainCommittable() {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    committable.forEach((p, o) -> out.put(p, new OffsetAndMetadata(o)));
    committable.clear();
    return out;
  }

  /** The first taken record of {@code partition} not yet finished: where to rewind to. */
  public synchronized OptionalLong firstUnfinished(TopicPartition partition) {
    OrderedAcks<Long> line = lines.get(partition);
    if (line == null) {
      return OptionalLong.empty();
    }
    Long first = line.oldest();
    return first == null ? OptionalLong.empty() : OptionalLong.of(first);
  }

  /** Records taken and not finished, over all partitions. */
  public synchronized int unfinished() {
    int n = 0;
    for (OrderedAcks<Long> line : lines.values()) {
      n += line.pending();
    }
    return n;
  }

  public synchronized Collection<TopicPartition> partitions() {
    return List.copyOf(lines.keySet());
  }

  /**
   * Forgets the taken records of {@code partitions}, before a rewind: their late finishes are
   * ignored. Offsets already committable stay committable.
   */
  public synchronized void forget(Collection<TopicPartition> partitions) {
    for (TopicPartition p : partitions) {
      lines.remove(p);
    }
  }

  /** Forgets partitions this consumer no longer owns, committable offsets included. */
  public synchronized void revoke(Collection<TopicPartition> partitions) {
    forget(partitions);
    for (TopicPartition p : partitions) {
      committable.remove(p);
    }
  }
}
