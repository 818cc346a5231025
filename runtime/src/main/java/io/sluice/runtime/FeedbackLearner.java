package io.sluice.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.inference.LabelledText;
import io.sluice.runtime.rollout.RolloutModel;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.Feedback;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Teaches the gateway's classifiers what the cloud decided. Reads the compacted feedback topic
 * from its beginning at every start (so a restarted gateway relearns all feedback kept there),
 * keeps the feedback meant for this gateway, groups it by the source whose pipeline classified
 * it, and hands each group to that pipeline's classifier, which retrains in the background and
 * swaps the new head in without a restart.
 *
 * <p>Feedback is taught in groups: whatever arrived within one poll, at most every
 * {@code minInterval}, so a burst of verdicts costs one retraining, not hundreds.
 *
 * <p>The link is at-least-once, so the same feedback can arrive twice; an event already taught
 * with the same label is skipped (a new label for the same event is taught). When a head that
 * knows a group serves, each example's time from verdict to serving head is recorded
 * ({@code sluice.feedback.learn.latency}) and listeners get the {@link Lesson}.
 */
public final class FeedbackLearner implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FeedbackLearner.class);
  private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String topic;
  private final String gateway;
  private final Map<String, RolloutModel> bySource;
  private final Models models;
  private final Clock clock;
  private final Counter received;
  private final Counter taught;
  private final Counter duplicates;
  private final Timer latency;
  private final Map<String, String> taughtLabels = new HashMap<>();
  private final List<Consumer<Lesson>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong pendingCount = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * What one retraining learned: the feedback it took in and when the head that knows it began
   * to serve.
   *
   * @param source the source whose pipeline's classifier learned
   * @param taught the verdicts taught
   * @param servingSince when the new head was swapped in (this gateway's clock)
   * @param headVersion the version of that head
   */
  public record Lesson(String source, List<Taught> taught, Instant servingSince,
      long headVersion) {

    public Lesson {
      taught = List.copyOf(taught);
    }

    /** From each verdict to the head that knows it, in the order taught (never negative). */
    public List<Duration> latencies() {
      return taught.stream().map(t -> Duration.between(t.decidedAt(), servingSince))
          .map(d -> d.isNegative() ? Duration.ZERO : d).toList();
    }
  }

  /** One verdict taught: the event, the label the cloud gave it and when it decided. */
  public record Taught(String eventId, String label, Instant decidedAt) {}

  /** A piece of feedback waiting to be taught. */
  private record Pending(LabelledText example, Taught verdict) {}

  /**
   * @param gateway this gateway's name; feedback for other gateways is skipped
   * @param bySource the classifier slot of each source's pipeline
   * @param models what teaches them
   */
  public FeedbackLearner(String bootstrap, String topic, String gateway,
      Map<String, RolloutModel> bySource, Models models, MeterRegistry registry, Clock clock) {
    this.models = models;
    this.topic = topic;
    this.gateway = gateway;
    this.bySource = Map.copyOf(bySource);
    this.clock = clock;
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-feedback-" + gateway);
    this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    this.received = AppMeters.FEEDBACK_RECEIVED.counter(registry);
    this.taught = AppMeters.FEEDBACK_TAUGHT.counter(registry);
    this.duplicates = AppMeters.FEEDBACK_DUPLICATES.counter(registry);
    this.latency = AppMeters.FEEDBACK_LEARN_LATENCY.timer(registry);
    this.thread = new Thread(this::run, "sluice-feedback-learner");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /**
   * Calls {@code listener} (on the classifier's learning thread) each time a head that knows new
   * feedback starts serving. Lessons learned before the listener was added are not replayed.
   */
  public void addListener(Consumer<Lesson> listener) {
    listeners.add(listener);
  }

  /** Feedback read but not yet handed to a classifier. */
  public long pending() {
    return pendingCount.get();
  }

  private void run() {
    var deserializer = AvroSerdes.feedback().deserializer();
    Map<String, List<Pending>> pending = new LinkedHashMap<>();
    long lastTaught = 0;
    try {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30))
          .stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.value() == null) {
            continue; // a tombstone
          }
          Feedback f;
          try {
            f = deserializer.deserialize(r.topic(), r.value());
          } catch (SerializationException e) {
            log.warn("Skipping feedback {}-{}@{}: {}", r.topic(), r.partition(), r.offset(),
                e.getMessage());
            continue;
          }
          received.increment();
          if (!f.getGateway().isEmpty() && !f.getGateway().equals(gateway)) {
            continue;
          }
          if (!bySource.containsKey(f.getSource())) {
            continue;
          }
          if (f.getLabel().equals(taughtLabels.put(f.getEventId(), f.getLabel()))) {
            duplicates.increment();
            continue;
          }
          pending.computeIfAbsent(f.getSource(), s -> new ArrayList<>())
              .add(new Pending(new LabelledText(f.getText(), f.getLabel()),
                  new Taught(f.getEventId(), f.getLabel(), f.getDecidedAt())));
          pendingCount.incrementAndGet();
        }
        long now = clock.millis();
        if (!pending.isEmpty() && now - lastTaught >= MIN_INTERVAL.toMillis()) {
          pending.forEach(this::teach);
          pending.clear();
          lastTaught = now;
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      log.error("The feedback learner stopped: {}", e.toString());
    } finally {
      consumer.close();
    }
  }

  private void teach(String source, List<Pending> group) {
    List<LabelledText> examples = group.stream().map(Pending::example).toList();
    models.learn(bySource.get(source), examples).whenComplete((head, error) -> {
      if (error != null) {
        log.warn("Learning {} feedback examples for source {} failed: {}", examples.size(),
            source, error.getMessage());
        return;
      }
      Lesson lesson = new Lesson(source, group.stream().map(Pending::verdict).toList(),
          clock.instant(), head.version());
      lesson.latencies().forEach(latency::record);
      log.info("Learned {} feedback examples for source {}: head {} now serves",
          examples.size(), source, head.version());
      for (Consumer<Lesson> listener : listeners) {
        try {
          listener.accept(lesson);
        } catch (RuntimeException e) {
          log.warn("A feedback lesson listener failed: {}", e.toString());
        }
      }
    });
    taught.increment(examples.size());
    pendingCount.addAndGet(-examples.size());
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
