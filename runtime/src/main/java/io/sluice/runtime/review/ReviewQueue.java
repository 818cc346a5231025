package io.sluice.runtime.review;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.operators.ReviewAttributes;
import io.sluice.runtime.AppMeters;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.Feedback;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.LabelCandidate;
import io.sluice.schemas.ModelRef;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue of records routed to {@code review}, for people; it lives in Kafka.
 *
 * <p><b>State.</b> Items are the records on the review topic (one per event id, the first copy
 * kept); decisions are the records on the compacted decisions topic. A reader thread follows
 * both topics from the beginning (read committed): an item is pending while no decision names
 * it. {@link #start} returns once the reader has caught up with both topics' end offsets as they
 * were at start, so after a restart no decided item is offered again.
 *
 * <p><b>Deciding.</b> {@link #decide} checks and marks the item under this queue's lock (two
 * reviewers on this server cannot both decide one item: the second gets
 * {@link Outcome#ALREADY_DECIDED}), then writes in one Kafka transaction: the decision, an audit
 * record (who, when, what, the model's label before), and, for a label, a {@code Feedback}
 * record to the feedback topic, exactly like a cloud verdict, so gateways learn from people too.
 * If the transaction fails the mark is undone and the caller told. The lock holds within one
 * process: where several instances share a namespace, people decide on one of them (the
 * decisions topic still lets every instance drop what any of them decided).
 */
public final class ReviewQueue implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReviewQueue.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Where the queue reads and writes.
   *
   * @param bootstrap the Kafka cluster
   * @param review topic of items (the topology's review topic)
   * @param decisions compacted topic of decisions
   * @param audit append-only topic of audit records
   * @param feedback topic a labelled decision teaches through
   * @param gateway the gateway name feedback carries when an item names none ("" for any)
   * @param transactionalId the producer's transactional id
   */
  public record Topics(String bootstrap, String review, String decisions, String audit,
      String feedback, String gateway, String transactionalId) {}

  /** One pending item, as the REST API and the dashboard show it. */
  public record Item(String id, String text, String source, String deviceId, Instant time,
      Instant queuedAt, String reason, String label, Double confidence,
      List<Candidate> candidates, String gateway) {}

  /** A label the model considered, with its probability. */
  public record Candidate(String label, double confidence) {}

  /**
   * A person's decision.
   *
   * @param label the label given (one of the candidates or a new one); empty for a rejection
   * @param reviewer who decided
   */
  public record Decision(Optional<String> label, String reviewer) {}

  /** What became of a decision. */
  public enum Outcome { RECORDED, ALREADY_DECIDED, UNKNOWN }

  private final Topics topics;
  private final Clock clock;
  private final MeterRegistry registry;
  private final Map<String, Item> items = new LinkedHashMap<>();
  private final Set<String> decided = new HashSet<>();
  /** Decided items that got a label (and so went to the feedback topic). */
  private final Set<String> labelled = new HashSet<>();
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Thread reader;
  private final AtomicBoolean running = new AtomicBoolean(true);

  private ReviewQueue(Topics topics, Clock clock, MeterRegistry registry) {
    this.topics = topics;
    this.clock = clock;
    this.registry = registry;
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, topics.bootstrap());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-review-" + topics.transactionalId());
    this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, topics.bootstrap());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, topics.transactionalId());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    this.reader = new Thread(this::follow, "sluice-review-reader");
    this.reader.setDaemon(true);
  }

  /**
   * Opens the queue: reads both topics up to their current ends, then follows them.
   *
   * @throws IllegalStateException when Kafka does not answer within {@code limit}
   */
  public static ReviewQueue start(Topics topics, Clock clock, MeterRegistry registry,
      Duration limit) {
    ReviewQueue queue = new ReviewQueue(topics, clock, registry);
    try {
      queue.producer.initTransactions();
      queue.catchUp(limit);
      AppMeters.REVIEW_PENDING.gauge(registry, queue, ReviewQueue::pendingCount);
      queue.reader.start();
      log.info("Review queue on {}: {} pending, {} decided", topics.review(),
          queue.pendingCount(), queue.decidedCount());
      return queue;
    } catch (RuntimeException e) {
      queue.closeClients();
      throw e;
    }
  }

  private void catchUp(Duration limit) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(topics.review(), topics.decisions())) {
      consumer.partitionsFor(topic, limit).forEach(info ->
          partitions.add(new TopicPartition(topic, info.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, limit);
    Instant deadline = clock.instant().plus(limit);
    while (!caughtUp(ends)) {
      if (clock.instant().isAfter(deadline)) {
        throw new IllegalStateException("The review queue could not read " + topics.review()
            + " and " + topics.decisions() + " within " + limit);
      }
      consumer.poll(Duration.ofMillis(200)).forEach(this::apply);
    }
  }

  private boolean caughtUp(Map<TopicPartition, Long> ends) {
    for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private void follow() {
    try {
      while (running.get()) {
        consumer.poll(Duration.ofMillis(500)).forEach(this::apply);
      }
    } catch (WakeupException e) {
      // closing
    } catch (KafkaException e) {
      log.warn("Review queue stopped reading {}: {}", topics.review(), e.toString());
    }
  }

  private synchronized void apply(ConsumerRecord<byte[], byte[]> record) {
    if (record.value() == null) {
      return;
    }
    if (record.topic().equals(topics.decisions())) {
      String id = new String(record.key(), StandardCharsets.UTF_8);
      decided.add(id);
      try {
        if (JSON.readTree(record.value()).path("label").isTextual()) {
          labelled.add(id);
        }
      } catch (java.io.IOException e) {
        log.warn("Review queue: decision {} on {} is not JSON", id, record.topic());
      }
      return;
    }
    InferenceResult result;
    try {
      result = AvroSerdes.inferenceResult().deserializer().deserialize(record.topic(),
          record.value());
    } catch (RuntimeException e) {
      log.warn("Review queue skipped a record on {} at offset {} that is not an"
          + " InferenceResult: {}", record.topic(), record.offset(), e.getMessage());
      return;
    }
    items.putIfAbsent(result.getEventId(), itemOf(result,
        Instant.ofEpochMilli(record.timestamp())));
  }

  private static Item itemOf(InferenceResult r, Instant queuedAt) {
    List<Candidate> candidates = new ArrayList<>();
    if (r.getCandidates() != null) {
      for (LabelCandidate c : r.getCandidates()) {
        candidates.add(new Candidate(c.getLabel(), c.getConfidence()));
      }
    } else if (r.getLabel() != null && r.getConfidence() != null) {
      candidates.add(new Candidate(r.getLabel(), r.getConfidence()));
    }
    Map<String, String> attributes = r.getAttributes();
    return new Item(r.getEventId(), r.getText(), r.getSource(), r.getDeviceId(),
        r.getTimestamp(), queuedAt,
        attributes.getOrDefault(ReviewAttributes.REASON, "routed to review"), r.getLabel(), r.getConfidence(), List.copyOf(candidates),
        attributes.getOrDefault(ReviewAttributes.GATEWAY, ""));
  }

  /** Up to {@code limit} pending items, oldest first. */
  public synchronized List<Item> pending(int limit) {
    List<Item> out = new ArrayList<>();
    for (Item item : items.values()) {
      if (out.size() >= limit) {
        break;
      }
      if (!decided.contains(item.id())) {
        out.add(item);
      }
    }
    return out;
  }

  public synchronized int pendingCount() {
    int n = 0;
    for (String id : items.keySet()) {
      n += decided.contains(id) ? 0 : 1;
    }
    return n;
  }

  public synchronized int decidedCount() {
    return decided.size();
  }

  /** Decisions that gave a label, so went to the feedback topic as well. */
  public synchronized int labelledCount() {
    return labelled.size();
  }

  /** Records {@code decision} on item {@code id}; see the class comment. */
  public Outcome decide(String id, Decision decision) {
    Item item;
    synchronized (this) {
      item = items.get(id);
      if (item == null) {
        return decided.contains(id) ? Outcome.ALREADY_DECIDED : Outcome.UNKNOWN;
      }
      if (!decided.add(id)) {
        return Outcome.ALREADY_DECIDED;
      }
    }
    Instant now = clock.instant();
    try {
      synchronized (producer) {
        producer.beginTransaction();
        byte[] key = id.getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(topics.decisions(), key,
            json(decisionJson(item, decision, now))));
        producer.send(new ProducerRecord<>(topics.audit(), key,
            json(auditJson(item, decision, now))));
        if (decision.label().isPresent() && item.text() != null) {
          Feedback feedback = Feedback.newBuilder()
              .setEventId(id)
              .setGateway(item.gateway().isEmpty() ? topics.gateway() : item.gateway())
              .setSource(item.source())
              .setLabel(decision.label().get())
              .setConfidence(1.0)
              .setText(item.text())
              .setModel(new ModelRef("reviewer", decision.reviewer()))
              .setDecidedAt(now)
              .build();
          producer.send(new ProducerRecord<>(topics.feedback(), key,
              AvroSerdes.feedback().serializer().serialize(topics.feedback(), feedback)));
        }
        producer.commitTransaction();
      }
    } catch (KafkaException e) {
      synchronized (this) {
        decided.remove(id);
      }
      try {
        producer.abortTransaction();
      } catch (KafkaException ignored) {
        // the producer is fenced or broken; the next decide fails the same way
      }
      throw new IllegalStateException("The decision on " + id + " could not be written: "
          + e.getMessage(), e);
    }
    if (decision.label().isPresent()) {
      synchronized (this) {
        labelled.add(id);
      }
    }
    AppMeters.REVIEW_DECISIONS.counter(registry, "decision",
        decision.label().isPresent() ? "label" : "reject").increment();
    log.info("Review item {} decided by {}: {}", id, decision.reviewer(),
        decision.label().map(l -> "label " + l).orElse("rejected"));
    return Outcome.RECORDED;
  }

  private static ObjectNode decisionJson(Item item, Decision decision, Instant at) {
    ObjectNode out = JSON.createObjectNode();
    out.put("id", item.id());
    if (decision.label().isPresent()) {
      out.put("label", decision.label().get());
    } else {
      out.putNull("label");
    }
    out.put("rejected", decision.label().isEmpty());
    out.put("reviewer", decision.reviewer());
    out.put("decidedAt", at.toString());
    return out;
  }

  private static ObjectNode auditJson(Item item, Decision decision, Instant at) {
    ObjectNode out = decisionJson(item, decision, at);
    out.put("action", decision.label().isPresent() ? "review.label" : "review.reject");
    out.put("modelLabel", item.label());
    out.put("reason", item.reason());
    out.put("source", item.source());
    out.put("text", item.text());
    return out;
  }

  private static byte[] json(JsonNode node) {
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    running.set(false);
    consumer.wakeup();
    try {
      reader.join(Duration.ofSeconds(5).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeClients();
  }

  private void closeClients() {
    try {
      producer.close(Duration.ofSeconds(5));
    } catch (RuntimeException e) {
      log.debug("Review producer close: {}", e.toString());
    }
    if (!reader.isAlive()) {
      consumer.close(Duration.ofSeconds(5));
    }
  }

}
