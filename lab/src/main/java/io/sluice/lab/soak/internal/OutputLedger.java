package io.sluice.lab.soak.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
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
 * Where every soak event ended up: reads the gateway's input and output topics and the cloud's
 * topics from the beginning, with {@code read_committed} (only what committed transactions wrote
 * counts, as for any downstream consumer), and counts the copies of each event id per place.
 *
 * <p>One reader thread per cluster. A reader keeps its positions in memory, so while the cloud's
 * Kafka is stopped its reader waits and then carries on where it was. Every record of a topic
 * that may reach the cloud (the gateway's forward and summaries topics, every cloud topic) is also
 * searched for the canary string restricted events carry.
 */
public final class OutputLedger implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OutputLedger.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The places an event's copies are counted. */
  public enum Place {
    /** The gateway's input topic: one copy per message the MQTT ingress wrote to Kafka. */
    INPUT,
    /** The gateway's local outputs: results, review and alerts. */
    LOCAL,
    /** The gateway's forward topic. */
    FORWARD,
    /** The cloud's copy of the forward topic, written by the cloud link. */
    CLOUD_FORWARD,
    /** The cloud's verdicts, written after its de-duplication. */
    VERDICT,
    /** The gateway's dead-letter topic. */
    DLQ
  }

  /**
   * The topics to read.
   *
   * @param inputs the gateway's input topics
   * @param local the gateway's local outputs (results, review, alerts)
   * @param alerts which of {@code local} holds alerts (JSON rather than Avro results)
   * @param forward the gateway's forward topic
   * @param toCloud the gateway's other topics the link moves (summaries), searched for canaries
   * @param deadLetters the gateway's dead-letter topic
   * @param cloudForward the cloud's forward topic
   * @param verdicts the cloud's verdicts
   * @param cloudOthers the cloud's other topics (summaries, feedback), searched for canaries
   */
  public record Topics(List<String> inputs, List<String> local, String alerts, String forward,
      List<String> toCloud, String deadLetters, String cloudForward, String verdicts,
      List<String> cloudOthers) {}

  private final String idPrefix;
  private final Topics topics;
  private final Map<String, AtomicIntegerArray> copies = new ConcurrentHashMap<>();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicLong forwardedRecords = new AtomicLong();
  private final AtomicLong canaryLeaks = new AtomicLong();
  private final AtomicLong unreadable = new AtomicLong();
  private final Map<String, AtomicLong> deadLetterTypes = new ConcurrentHashMap<>();
  private final Set<String> leakTopics = ConcurrentHashMap.newKeySet();
  private final List<Reader> readers = new ArrayList<>();

  /**
   * @param cloudBootstrap the cloud cluster; null to read the gateway only (the cloud topic names
   *     may then be null)
   * @param idPrefix only event ids with this prefix are counted
   */
  public OutputLedger(String gatewayBootstrap, String cloudBootstrap, Topics topics,
      String idPrefix) {
    this.idPrefix = idPrefix;
    this.topics = topics;
    List<String> gateway = new ArrayList<>(topics.inputs());
    gateway.addAll(topics.local());
    gateway.add(topics.forward());
    gateway.addAll(topics.toCloud());
    gateway.add(topics.deadLetters());
    readers.add(new Reader("gateway", gatewayBootstrap, gateway, this::readGateway));
    if (cloudBootstrap != null) {
      List<String> cloud = new ArrayList<>(List.of(topics.cloudForward(), topics.verdicts()));
      cloud.addAll(topics.cloudOthers());
      readers.add(new Reader("cloud", cloudBootstrap, cloud, this::readCloud));
    }
    readers.forEach(Reader::start);
  }

  /** Distinct event ids found in a final output: the gateway's local outputs or the verdicts. */
  public long delivered() {
    return delivered.get();
  }

  /** Distinct event ids found in the dead-letter topic. */
  public long deadLettered() {
    return deadLettered.get();
  }

  /** Records read from the gateway's forward topic, repeats included. */
  public long forwardedRecords() {
    return forwardedRecords.get();
  }

  /** Records on a topic bound for the cloud that hold the canary string. */
  public long canaryLeaks() {
    return canaryLeaks.get();
  }

  /** The topics where canaries were found. */
  public Set<String> leakTopics() {
    return Set.copyOf(leakTopics);
  }

  /** Records that could not be read (not Avro, not JSON): a bug in a writer. */
  public long unreadable() {
    return unreadable.get();
  }

  /** Distinct dead letters by the reason type the gateway gave. */
  public Map<String, Long> deadLetterTypes() {
    Map<String, Long> out = new TreeMap<>();
    deadLetterTypes.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** Copies of an event per place, indexed by {@link Place#ordinal()}; zeros if never seen. */
  public int[] copies(String eventId) {
    AtomicIntegerArray a = copies.get(eventId);
    int[] out = new int[Place.values().length];
    if (a != null) {
      for (int i = 0; i < out.length; i++) {
        out[i] = a.get(i);
      }
    }
    return out;
  }

  @Override
  public void close() {
    readers.forEach(Reader::stop);
  }

  private void count(String id, Place place) {
    if (id == null || !id.startsWith(idPrefix)) {
      return;
    }
    // One extra slot flags "delivered", so two readers cannot both count an event's first arrival.
    AtomicIntegerArray a = copies.computeIfAbsent(id,
        k -> new AtomicIntegerArray(Place.values().length + 1));
    int before = a.getAndIncrement(place.ordinal());
    if ((place == Place.LOCAL || place == Place.VERDICT)
        && a.compareAndSet(Place.values().length, 0, 1)) {
      delivered.incrementAndGet();
    }
    if (place == Place.DLQ && before == 0) {
      deadLettered.incrementAndGet();
    }
  }

  /** A gateway record: topic names repeat on the cloud cluster, so each cluster has its own. */
  private void readGateway(ConsumerRecord<byte[], byte[]> r) {
    String topic = r.topic();
    byte[] value = r.value();
    if (topic.equals(topics.forward()) || topics.toCloud().contains(topic)) {
      searchCanary("gateway " + topic, value);
    }
    try {
      if (topics.inputs().contains(topic)) {
        count(SoakEvents.idIn(value).orElse(null), Place.INPUT);
      } else if (topic.equals(topics.alerts())) {
        count(JSON.readTree(value).path("eventId").asText(null), Place.LOCAL);
      } else if (topics.local().contains(topic)) {
        count(AvroSerdes.inferenceResult().deserializer().deserialize(topic, value).getEventId(),
            Place.LOCAL);
      } else if (topic.equals(topics.forward())) {
        forwardedRecords.incrementAndGet();
        count(AvroSerdes.forwardedRecord().deserializer().deserialize(topic, value).getEventId(),
            Place.FORWARD);
      } else if (topic.equals(topics.deadLetters())) {
        DeadLetter d = AvroSerdes.deadLetter().deserializer().deserialize(topic, value);
        Optional<String> id = SoakEvents.idIn(d.getRaw().array());
        if (id.isPresent() && id.get().startsWith(idPrefix)
            && copies(id.get())[Place.DLQ.ordinal()] == 0) {
          deadLetterTypes.computeIfAbsent(d.getErrorType().name(), k -> new AtomicLong())
              .incrementAndGet();
        }
        count(id.orElse(null), Place.DLQ);
        if (d.getOffset() < 0 && d.getSourceTopic().startsWith("mqtt:")) {
          // the ingress wrote this dead letter in place of the input record (a payload over
          // the limit): it is also the message's one copy into the gateway
          count(id.orElse(null), Place.INPUT);
        }
      }
    } catch (Exception e) {
      unreadable(r, e);
    }
  }

  private void readCloud(ConsumerRecord<byte[], byte[]> r) {
    String topic = r.topic();
    byte[] value = r.value();
    searchCanary("cloud " + topic, value);
    try {
      if (topic.equals(topics.cloudForward())) {
        count(AvroSerdes.forwardedRecord().deserializer().deserialize(topic, value).getEventId(),
            Place.CLOUD_FORWARD);
      } else if (topic.equals(topics.verdicts())) {
        count(AvroSerdes.inferenceResult().deserializer().deserialize(topic, value).getEventId(),
            Place.VERDICT);
      }
    } catch (Exception e) {
      unreadable(r, e);
    }
  }

  private void unreadable(ConsumerRecord<byte[], byte[]> r, Exception e) {
    if (unreadable.getAndIncrement() < 5) {
      log.warn("Cannot read a record of {} (partition {}, offset {}): {}", r.topic(),
          r.partition(), r.offset(), e.toString());
    }
  }

  private void searchCanary(String topic, byte[] value) {
    if (value != null && new String(value, StandardCharsets.ISO_8859_1)
        .contains(SoakEvents.CANARY)) {
      canaryLeaks.incrementAndGet();
      leakTopics.add(topic);
    }
  }

  /** Reads one cluster's topics from the beginning, until stopped. */
  private final class Reader {
    private final String cluster;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final Consumer<ConsumerRecord<byte[], byte[]>> handler;
    private volatile boolean running = true;

    Reader(String cluster, String bootstrap, List<String> topicNames,
        Consumer<ConsumerRecord<byte[], byte[]>> handler) {
      this.cluster = cluster;
      this.handler = handler;
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      p.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-soak-ledger-" + cluster);
      p.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2_000);
      this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
          new ByteArrayDeserializer());
      List<TopicPartition> partitions = new ArrayList<>();
      for (String t : topicNames) {
        consumer.partitionsFor(t, Duration.ofSeconds(30))
            .forEach(info -> partitions.add(new TopicPartition(t, info.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      this.thread = new Thread(this::run, "sluice-soak-ledger-" + cluster);
      this.thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    private void run() {
      try {
        while (running) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            handler.accept(r);
          }
        }
      } catch (WakeupException e) {
        // stopping
      } catch (RuntimeException e) {
        log.error("The soak's {} ledger reader stopped: {}", cluster, e.toString());
      } finally {
        consumer.close();
      }
    }

    void stop() {
      running = false;
      consumer.wakeup();
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
