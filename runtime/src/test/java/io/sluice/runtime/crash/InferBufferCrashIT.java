package io.sluice.runtime.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.connectors.embedded.EmbeddedKafka;
import io.sluice.connectors.embedded.TopicAdmin;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.InferenceResult;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The infer operator under a crash: records wait in its buffer (a long maxWait), their input
 * offsets are committed, the gateway JVM is killed with SIGKILL, and a new one must emit each of
 * them exactly once.
 */
class InferBufferCrashIT {

  static EmbeddedKafka kafka;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void recordsWaitingInTheBufferSurviveASigkillExactlyOnce() throws Exception {
    Map<String, Integer> topics = new HashMap<>();
    for (String t : List.of("crash.in.notes", "crash.results", "crash.dlq", "crash.forward",
        "crash.review", "crash.alerts", "crash.summaries")) {
      topics.put(t, 2);
    }
    TopicAdmin.ensureTopics(kafka.bootstrapServers(), topics, Map.of());
    Path state = Files.createTempDirectory("crash-state-");

    Process first = child(state.resolve("a"), "10m");
    int n = 200;
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      for (int i = 0; i < n; i++) {
        String payload = "{\"eventId\":\"e" + i + "\",\"text\":\"word" + (i % 7) + " note " + i
            + "\"}";
        producer.send(new ProducerRecord<>("crash.in.notes",
            ("device-" + (i % 5)).getBytes(StandardCharsets.UTF_8),
            payload.getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
    // Wait until the gateway has committed all inputs: the records now live only in its
    // buffer's changelog, none has been emitted.
    await().atMost(Duration.ofSeconds(60)).until(() -> committedInputs() == n);
    assertThat(readResults(Duration.ofSeconds(2))).isEmpty();

    first.destroyForcibly();
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();

    Process second = child(state.resolve("b"), "50ms");
    try {
      List<InferenceResult> results = new ArrayList<>();
      await().atMost(Duration.ofSeconds(90)).until(() -> {
        results.clear();
        results.addAll(readResults(Duration.ofSeconds(1)));
        return results.size() >= n;
      });
      Map<String, Integer> copies = new HashMap<>();
      results.forEach(r -> copies.merge(r.getEventId(), 1, Integer::sum));
      assertThat(copies).hasSize(n);
      assertThat(copies.values()).allMatch(c -> c == 1);
      assertThat(results).allSatisfy(r -> {
        assertThat(r.getLabel()).startsWith("word");
        assertThat(r.getModel().getName()).isEqualTo("first-word");
      });
    } finally {
      second.destroyForcibly();
      second.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static Process child(Path stateDir, String maxWait) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java,
        "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.sluice.schemas",
        "-cp", System.getProperty("java.class.path"),
        InferCrashChild.class.getName(), kafka.bootstrapServers(), stateDir.toString(), maxWait)
        .redirectErrorStream(true);
    Process process = pb.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8));
    Thread drain = new Thread(() -> {
      try {
        String line;
        while ((line = out.readLine()) != null) {
          if (line.contains("RUNNING") || line.contains("ERROR")) {
            System.out.println("[child] " + line);
          }
        }
      } catch (java.io.IOException ignored) {
        // process ended
      }
    });
    drain.setDaemon(true);
    drain.start();
    return process;
  }

  private static long committedInputs() throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        kafka.bootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> offsets = admin
          .listConsumerGroupOffsets("crash-gateway").partitionsToOffsetAndMetadata()
          .get(10, TimeUnit.SECONDS);
      return offsets.entrySet().stream()
          .filter(e -> e.getKey().topic().equals("crash.in.notes") && e.getValue() != null)
          .mapToLong(e -> e.getValue().offset()).sum();
    }
  }

  private static List<InferenceResult> readResults(Duration quiet) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<InferenceResult> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = List.of(new TopicPartition("crash.results", 0),
          new TopicPartition("crash.results", 1));
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.nanoTime() + quiet.toNanos();
      while (System.nanoTime() < deadline
          && parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
          out.add(AvroSerdes.inferenceResult().deserializer().deserialize(r.topic(), r.value()));
        }
      }
    }
    return out;
  }

  private static KafkaProducer<byte[], byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }
}
