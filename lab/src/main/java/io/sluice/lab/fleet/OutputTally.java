package io.sluice.lab.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.DeadLetter;
import io.sluice.schemas.ForwardedRecord;
import io.sluice.schemas.InferenceResult;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts what a topology produced, for the demo's and benchmarks' accounting: distinct event ids
 * on the output topics and distinct dead letters (by the input record they came from). Reads with
 * {@code read_committed}, so only records of committed transactions count.
 */
public final class OutputTally implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OutputTally.class);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String deadLetterTopic;
  private final String forwardTopic;
  private final String alertTopic;
  private final Map<String, AtomicLong> eventIds = new ConcurrentHashMap<>();
  private final Set<String> deadLetters = ConcurrentHashMap.newKeySet();
  private final AtomicLong outputRecords = new AtomicLong();
  private final AtomicLong forwardedCount = new AtomicLong();
  private final Map<String, AtomicLong> byTopic = new ConcurrentHashMap<>();
  private final Thread thread;
  private final Consumer<InferenceResult> listener;
  private volatile boolean running = true;

  /** Where a topology writes its outputs. */
  public record Outputs(Collection<String> resultTopics, String forwardTopic, String alertTopic,
      String deadLetterTopic) {

    public static Outputs of(io.sluice.topology.spec.Topics topics) {
      return new Outputs(List.of(topics.results(), topics.review()), topics.forward(),
          topics.alerts(), topics.deadLetters());
    }
  }

  /**
   * @param listener called for every result read (for latency measurement), may be null
   */
  public OutputTally(String bootstrap, Outputs outputs, Consumer<InferenceResult> listener) {
    this.deadLetterTopic = outputs.deadLetterTopic();
    this.forwardTopic = outputs.forwardTopic();
    this.alertTopic = outputs.alertTopic();
    Collection<String> outputTopics = outputs.resultTopics();
    this.listener = listener;
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-tally");
    this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    Set<String> topics = new HashSet<>(outputTopics);
    topics.add(deadLetterTopic);
    topics.add(forwardTopic);
    topics.add(alertTopic);
    List<TopicPartition> partitions = topics.stream()
        .flatMap(t -> consumer.partitionsFor(t, Duration.ofSeconds(30)).stream()
            .map(info -> new TopicPartition(t, info.partition())))
        .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    this.thread = new Thread(this::run, "sluice-output-tally");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Distinct event ids seen on the output topics. */
  public long distinctResults() {
    return eventIds.size();
  }

  /** Distinct event ids seen whose id starts with {@code prefix}. */
  public long distinctResults(String prefix) {
    return eventIds.keySet().stream().filter(id -> id.startsWith(prefix)).count();
  }

  /** Output records beyond the first of their event, for events whose id starts with prefix. */
  public long duplicates(String prefix) {
    return eventIds.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
        .mapToLong(e -> e.getValue().get() - 1).sum();
  }

  private void seen(String eventId) {
    eventIds.computeIfAbsent(eventId, id -> new AtomicLong()).incrementAndGet();
  }

  /**
   * Settles a run's books once its devices stopped ({@link Settlement}: 10 s of quiet, at most
   * 120 s): everything in these outputs counts, and the records routes dropped.
   *
   * @param registry the gateway's registry (the ingress's meters tell what the broker still
   *     holds)
   * @param giveUp stops the wait early (Ctrl-C)
   */
  public Settlement.Books settle(String bootstrap, io.sluice.topology.spec.TopologySpec spec,
      io.micrometer.core.instrument.MeterRegistry registry, long published,
      java.util.function.LongSupplier dropped,
      java.time.Clock clock, Settlement.Pause pause, java.util.function.BooleanSupplier giveUp)
      throws InterruptedException {
    try (OnTheirWay onTheirWay = new OnTheirWay(bootstrap, spec, registry)) {
      return new Settlement(clock, pause, Duration.ofSeconds(10), Duration.ofSeconds(120),
          Duration.ofSeconds(1)).settle(published, () -> new Settlement.Counts(
              distinctResults(), deadLetters(), dropped.getAsLong(),
              Math.max(0, outputRecords() - distinctResults()),
              Math.max(0, onTheirWay.count(published))), giveUp);
    }
  }

  /** Records on the output topics, duplicates included. */
  public long outputRecords() {
    return outputRecords.get();
  }

  /** Records forwarded to the cloud (duplicates included). */
  public long forwarded() {
    return forwardedCount.get();
  }

  /** Distinct dead letters. */
  public long deadLetters() {
    return deadLetters.size();
  }

  public long recordsOn(String topic) {
    AtomicLong n = byTopic.get(topic);
    return n == null ? 0 : n.get();
  }

  private void run() {
    var results = AvroSerdes.inferenceResult().deserializer();
    var forwarded = AvroSerdes.forwardedRecord().deserializer();
    var letters = AvroSerdes.deadLetter().deserializer();
    ObjectMapper json = new ObjectMapper();
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          byTopic.computeIfAbsent(r.topic(), t -> new AtomicLong()).incrementAndGet();
          if (r.topic().equals(deadLetterTopic)) {
            DeadLetter d = letters.deserialize(r.topic(), r.value());
            // a dead letter the ingress wrote has no input offset: tell them apart by content
            deadLetters.add(d.getSourceTopic() + "/" + d.getPartition() + "/" + d.getOffset()
                + (d.getOffset() >= 0 ? "" : "/" + d.getHeaders().get("sluice.received-at") + "/"
                    + java.util.Arrays.hashCode(d.getRaw().array())));
          } else if (r.topic().equals(forwardTopic)) {
            ForwardedRecord f = forwarded.deserialize(r.topic(), r.value());
            outputRecords.incrementAndGet();
            seen(f.getEventId());
            forwardedCount.incrementAndGet();
            if (listener != null) {
              listener.accept(f.getResult());
            }
          } else if (r.topic().equals(alertTopic)) {
            outputRecords.incrementAndGet();
            seen(json.readTree(r.value()).path("eventId").asText());
          } else {
            InferenceResult result = results.deserialize(r.topic(), r.value());
            outputRecords.incrementAndGet();
            seen(result.getEventId());
            if (listener != null) {
              listener.accept(result);
            }
          }
        }
      }
    } catch (java.io.IOException e) {
      log.error("Output tally stopped: an alert is not JSON: {}", e.getMessage());
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      log.error("Output tally stopped: {}", e.toString());
    } finally {
      consumer.close();
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
