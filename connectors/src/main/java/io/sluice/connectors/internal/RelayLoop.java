package io.sluice.connectors.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves records from a Kafka topic to a {@link Target} (an MQTT broker, another Kafka cluster),
 * at-least-once and in order per partition. The MQTT egress and every cloud link route are one
 * of these.
 *
 * <p>Design. One thread owns the consumer (auto commit off). Records are taken from
 * {@code poll} into a bounded buffer, each with a ticket from an {@link OffsetTracker}, and sent
 * to the target while fewer than {@link Target#capacity()} are in flight; the target's callback
 * finishes the ticket, and the loop commits only offsets below which everything is finished. So a
 * crash re-reads what the target had not acknowledged (duplicates possible, loss not).
 *
 * <p>Failure. When a send fails, or the target reports a new connection ({@link Target#epoch()}
 * changed), everything taken and unfinished is void: the loop forgets it, seeks each partition
 * back to its first unfinished record, waits a backoff (failures only) and sends again from there,
 * so the first copy of each record still arrives in partition order. Completions of void sends are
 * ignored (a generation number). While the target cannot take records the consumer is paused and
 * records wait in the source topic: {@code poll} on paused partitions is also how the loop waits,
 * without sleeping, and keeps its group membership.
 *
 * <p>Health. DOWN until the first round finds the target ready; then DOWN while the target is not
 * ready, while backing off after a failure, or when records in flight have had no
 * acknowledgement for the stall timeout; otherwise UP. A target that answers but acknowledges
 * nothing for four stall timeouts is treated as failed ({@link Stalled}): the loop rewinds and
 * the target replaces its client, since a wedged client would otherwise hold the route forever.
 * Changes after the first UP go to a listener, once each, so logs get one line per change rather
 * than per record.
 */
public final class RelayLoop implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(RelayLoop.class);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration CLIENT_CALL_TIMEOUT = Duration.ofSeconds(5);

  /** Where records go. */
  public interface Target {
    /** Whether the target can take records now. */
    boolean ready();

    /** Most records in flight now. */
    int capacity();

    /** Changes whenever earlier sends became void (a new connection): the loop rewinds. */
    long epoch();

    /** Sends one record; exactly one of {@code done}'s methods is called, on any thread. */
    void send(ConsumerRecord<byte[], byte[]> record, Completion done);

    /**
     * After a failure, before sending again: replace a client that may be broken.
     *
     * @param cause the failure; a {@link Stalled} when the target answered but acknowledged
     *     nothing for four stall timeouts (a wedged client or connection)
     */
    void reset(Exception cause);
  }

  /** Records in flight got no acknowledgement for long although the target is reachable. */
  public static final class Stalled extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stalled(String message) {
      super(message);
    }
  }

  /** The outcome of one send. */
  public interface Completion {
    /** The target acknowledged the record. */
    void delivered();

    /** The target will never take this record; it is passed over (counted, logged). */
    void skipped(String reason);

    /** The send failed and should be retried. */
    void failed(Exception error);
  }

  /** What the loop reports. */
  public enum Health { UP, DOWN }

  /** Receives health changes; {@code reason} says why, {@code since} how long the last lasted. */
  public interface HealthListener {
    void changed(Health health, String reason, Duration previousLasted);
  }

  /** Meters the loop feeds; all may be no-ops. */
  public interface Meters {
    void delivered(ConsumerRecord<byte[], byte[]> record);

    void skipped(ConsumerRecord<byte[], byte[]> record, String reason);

    void failed(Exception error);

    void rewound();

    /** Records deleted by retention before the loop moved them. */
    void expired(long records);
  }

  /** Settings of one loop. */
  public record Settings(String name, String topic, int maxBuffered, Duration commitInterval,
      Duration stallTimeout, Duration backlogInterval, Duration backoffMin, Duration backoffMax) {}

  private record Taken(ConsumerRecord<byte[], byte[]> record, OffsetTracker.Ticket ticket) {}

  private final Settings settings;
  private final Consumer<byte[], byte[]> consumer;
  private final Target target;
  private final Meters meters;
  private final HealthListener healthListener;
  private final BooleanSupplier sourceReachable;
  private final Clock clock;
  private final OffsetTracker tracker = new OffsetTracker();
  private final Deque<Taken> buffer = new ArrayDeque<>();
  private final Backoff backoff;
  private final AtomicLong generation = new AtomicLong();
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final AtomicLong lastProgressMillis = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong backlog = new AtomicLong();
  private volatile boolean running = true;
  private volatile Health health = Health.DOWN;
  private boolean everUp;
  private long healthSinceMillis;
  private long seenEpoch;
  private long backoffUntilMillis;
  private long nextCommitMillis;
  private long nextBacklogMillis;
  private long deliveredSeen;

  public RelayLoop(Settings settings, Consumer<byte[], byte[]> consumer, Target target,
      Meters meters, HealthListener healthListener, BooleanSupplier sourceReachable,
      Clock clock) {
    this.settings = settings;
    this.consumer = consumer;
    this.target = target;
    this.meters = meters;
    this.healthListener = healthListener;
    this.sourceReachable = sourceReachable;
    this.clock = clock;
    this.backoff = new Backoff(settings.backoffMin(), settings.backoffMax());
    this.healthSinceMillis = clock.millis();
    this.lastProgressMillis.set(clock.millis());
  }

  public Health health() {
    return health;
  }

  /** Records in the source not yet acknowledged by the target, as of the last estimate. */
  public long backlog() {
    return backlog.get();
  }

  /** Records the target acknowledged since start. */
  public long delivered() {
    return delivered.get();
  }

  /** Records taken from the source and not yet acknowledged (buffered or in flight). */
  public int unfinished() {
    return tracker.unfinished();
  }

  /** Asks the loop to stop; {@link #run()} commits what is finished and closes the consumer. */
  public void stop() {
    running = false;
    consumer.wakeup();
  }

  @Override
  public void run() {
    try {
      open();
      while (running) {
        step();
      }
    } catch (WakeupException e) {
      // stop() was called
    } catch (RuntimeException e) {
      log.error("{}: stopped by an unexpected error", settings.name(), e);
    } finally {
      commitSync();
      try {
        // Leave the group even as a static member, so another instance takes over now.
        consumer.close(CloseOptions.timeout(CLIENT_CALL_TIMEOUT).withGroupMembershipOperation(
            CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
      } catch (RuntimeException e) {
        log.debug("{}: consumer close failed: {}", settings.name(), e.toString());
      }
    }
  }

  /** Subscribes; {@link #run()} does this first (tests call it and {@link #step()} directly). */
  void open() {
    seenEpoch = target.epoch();
    consumer.subscribe(List.of(settings.topic()), new Rebalance());
  }

  /** One round: rewind if needed, send, pause or resume, poll, commit. */
  void step() {
    long now = clock.millis();
    int inFlightBefore = tracker.unfinished() - buffer.size();
    long stalledMillis = now - lastProgressMillis.get();
    if (inFlightBefore > 0 && target.ready()
        && stalledMillis > 4 * settings.stallTimeout().toMillis()) {
      failure.compareAndSet(null, new Stalled("no acknowledgement for " + stalledMillis / 1000
          + " s with " + inFlightBefore + " records in flight, although the target answers;"
          + " starting over with a fresh client"));
    }
    Exception failed = failure.getAndSet(null);
    long epoch = target.epoch();
    if (failed != null || epoch != seenEpoch) {
      rewind();
      seenEpoch = epoch;
      if (failed != null) {
        meters.failed(failed);
        Duration wait = backoff.next();
        backoffUntilMillis = now + wait.toMillis();
        log.debug("{}: send failed ({}); rewound, retrying in {} ms", settings.name(),
            failed.toString(), wait.toMillis());
        target.reset(failed);
        updateHealth(Health.DOWN, "sending failed: " + failed.getMessage(), now);
      }
    }
    long deliveredNow = delivered.get();
    if (deliveredNow != deliveredSeen) {
      deliveredSeen = deliveredNow;
      backoff.reset();
    }
    boolean backingOff = now < backoffUntilMillis;
    boolean ready = target.ready() && !backingOff;
    if (ready) {
      sendBuffered();
    }
    int inFlight = tracker.unfinished() - buffer.size();
    if (inFlight == 0) {
      lastProgressMillis.set(now);
    }
    updateHealth(now, backingOff, inFlight);
    Set<TopicPartition> assigned = consumer.assignment();
    if (!ready || buffer.size() >= settings.maxBuffered()) {
      consumer.pause(assigned);
    } else {
      consumer.resume(assigned);
    }
    Duration wait = backingOff
        ? Duration.ofMillis(Math.max(1, Math.min(POLL.toMillis(), backoffUntilMillis - now)))
        : POLL;
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(wait)) {
      buffer.addLast(new Taken(r, tracker.take(new TopicPartition(r.topic(), r.partition()),
          r.offset())));
    }
    if (ready) {
      sendBuffered();
    }
    now = clock.millis();
    if (now >= nextCommitMillis) {
      nextCommitMillis = now + settings.commitInterval().toMillis();
      commitAsync();
    }
    if (now >= nextBacklogMillis) {
      nextBacklogMillis = now + settings.backlogInterval().toMillis();
      estimateBacklog();
    }
  }

  private void sendBuffered() {
    int capacity = target.capacity();
    while (!buffer.isEmpty() && tracker.unfinished() - buffer.size() < capacity
        && failure.get() == null) {
      Taken taken = buffer.pollFirst();
      long gen = generation.get();
      try {
        target.send(taken.record(), new Done(taken, gen));
      } catch (RuntimeException e) {
        new Done(taken, gen).failed(e);
      }
    }
  }

  /** Voids everything taken: seek back to the first unfinished record of each partition. */
  private void rewind() {
    generation.incrementAndGet();
    Collection<TopicPartition> partitions = tracker.partitions();
    for (TopicPartition p : partitions) {
      OptionalLong first = tracker.firstUnfinished(p);
      if (first.isPresent() && consumer.assignment().contains(p)) {
        consumer.seek(p, first.getAsLong());
      }
    }
    tracker.forget(partitions);
    buffer.clear();
    meters.rewound();
  }

  private void updateHealth(long now, boolean backingOff, int inFlight) {
    if (!target.ready()) {
      updateHealth(Health.DOWN, "target not reachable", now);
    } else if (!sourceReachable.getAsBoolean()) {
      updateHealth(Health.DOWN, "source not reachable", now);
    } else if (backingOff) {
      updateHealth(Health.DOWN, "backing off after a failed send", now);
    } else if (inFlight > 0
        && now - lastProgressMillis.get() > settings.stallTimeout().toMillis()) {
      updateHealth(Health.DOWN, "no acknowledgement for " + settings.stallTimeout().toSeconds()
          + " s with " + inFlight + " records in flight", now);
    } else {
      updateHealth(Health.UP, "acknowledging", now);
    }
  }

  private void updateHealth(Health next, String reason, long now) {
    if (next == health) {
      return;
    }
    Duration lasted = Duration.ofMillis(now - healthSinceMillis);
    health = next;
    healthSinceMillis = now;
    if (everUp) {
      healthListener.changed(next, reason, lasted);
    }
    everUp |= next == Health.UP; // starting up (DOWN until the first UP) is not news
  }

  private void commitAsync() {
    Map<TopicPartition, OffsetAndMetadata> offsets = tracker.drainCommittable();
    offsets.keySet().retainAll(consumer.assignment());
    if (!offsets.isEmpty()) {
      consumer.commitAsync(offsets, (done, error) -> {
        if (error != null) {
          log.debug("{}: commit failed (retried with later offsets): {}", settings.name(),
              error.toString());
        }
      });
    }
  }

  void commitSync() {
    Map<TopicPartition, OffsetAndMetadata> offsets = tracker.drainCommittable();
    offsets.keySet().retainAll(consumer.assignment());
    if (offsets.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(offsets, CLIENT_CALL_TIMEOUT);
    } catch (RuntimeException e) {
      log.warn("{}: could not commit offsets {} ({}); those records will be sent again",
          settings.name(), offsets, e.toString());
    }
  }

  private void estimateBacklog() {
    Set<TopicPartition> assigned = consumer.assignment();
    if (assigned.isEmpty() || !sourceReachable.getAsBoolean()) {
      return;
    }
    try {
      Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, CLIENT_CALL_TIMEOUT);
      long total = 0;
      for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
        OptionalLong first = tracker.firstUnfinished(e.getKey());
        long from = first.isPresent() ? first.getAsLong()
            : consumer.position(e.getKey(), CLIENT_CALL_TIMEOUT);
        total += Math.max(0, e.getValue() - from);
      }
      backlog.set(total);
    } catch (RuntimeException e) {
      log.debug("{}: backlog estimate failed: {}", settings.name(), e.toString());
    }
  }

  /** The completion of one send, void if a rewind happened since. */
  private final class Done implements Completion {
    private final Taken taken;
    private final long gen;

    Done(Taken taken, long gen) {
      this.taken = taken;
      this.gen = gen;
    }

    @Override
    public void delivered() {
      if (gen != generation.get()) {
        return;
      }
      lastProgressMillis.set(clock.millis());
      delivered.incrementAndGet();
      tracker.finish(taken.ticket());
      meters.delivered(taken.record());
    }

    @Override
    public void skipped(String reason) {
      if (gen != generation.get()) {
        return;
      }
      lastProgressMillis.set(clock.millis());
      tracker.finish(taken.ticket());
      meters.skipped(taken.record(), reason);
    }

    @Override
    public void failed(Exception error) {
      if (gen != generation.get()) {
        return;
      }
      failure.compareAndSet(null, error);
    }
  }

  /** Commits before partitions leave; checks retention when they arrive. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      commitSync();
      drop(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      drop(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      checkRetention(Set.copyOf(partitions));
    }

    private void drop(Collection<TopicPartition> partitions) {
      tracker.revoke(partitions);
      buffer.removeIf(t -> partitions.contains(t.ticket().partition()));
    }
  }

  /** Reports records that retention deleted before they were moved (they are gone). */
  private void checkRetention(Set<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    try {
      Map<TopicPartition, OffsetAndMetadata> committed =
          consumer.committed(partitions, CLIENT_CALL_TIMEOUT);
      Map<TopicPartition, Long> starts = consumer.beginningOffsets(partitions,
          CLIENT_CALL_TIMEOUT);
      for (TopicPartition p : partitions) {
        OffsetAndMetadata c = committed.get(p);
        Long start = starts.get(p);
        if (c != null && start != null && c.offset() < start) {
          long lost = start - c.offset();
          meters.expired(lost);
          log.error("{}: {} records of {} were deleted by retention before they were moved"
              + " (committed offset {}, log now starts at {}); raise the topic's retention.ms"
              + " above the longest outage", settings.name(), lost, p, c.offset(), start);
        }
      }
    } catch (RuntimeException e) {
      log.debug("{}: retention check failed: {}", settings.name(), e.toString());
    }
  }
}
