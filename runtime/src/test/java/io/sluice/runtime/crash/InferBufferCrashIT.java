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
 * The infer and generate operators under a crash: records wait in the buffer (a long maxWait),
 * their input offsets are committed, the gateway JVM is killed with SIGKILL, and a new one must
 * emit each of them exactly once.
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
    List<InferenceResult> results = crashAndRestart("crash", null, 200);
    assertThat(results).allSatisfy(r -> {
      assertThat(r.getLabel()).startsWith("word");
      assertThat(r.getModel().getName()).isEqualTo("first-word");
    });
  }

  /** The generate step's buffer is the same mechanism; checked with the tiny decoder. */
  @Test
  void recordsWaitingForTheDecoderSurviveASigkillExactlyOnce() throws Exception {
    Path decoder = Path.of(System.getProperty("sluice.shared.dir", "../../shared"), "models",
        "tiny-decoder").toAbsolutePath();
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(decoder.resolve("model.onnx")),
        "Skipped: the tiny decoder is absent (needs ../shared/models)");
    List<InferenceResult> results = crashAndRestart("crashgen", decoder.toString(), 40);
    assertThat(results).allSatisfy(r -> {
      assertThat(r.getGeneration()).isNotNull();
      assertThat(r.getGeneration().getValid()).isTrue();
      assertThat(r.getGeneration().getPromptId()).isEqualTo("echo");
    });
  }

  /** Records wait in the buffer with committed inputs; SIGKILL; a new JVM emits each once. */
  private List<InferenceResult> crashAndRestart(String ns, String decoder, int n)
      throws Exception {
    Map<String, Integer> topics = new HashMap<>();
    for (String t : List.of("in.notes", "results", "dlq", "forward", "review", "alerts",
        "summaries")) {
      topics.put(ns + "." + t, 2);
    }
    TopicAdmin.ensureTopics(kafka.bootstrapServers(), topics, Map.of());
    Path state = Files.createTempDirectory(ns + "-state-");

    Process first = child(state.resolve("a"), "10m", decoder);
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      for (int i = 0; i < n; i++) {
        String payload = "{\"eventId\":\"e" + i + "\",\"text\":\"word" + (i % 7) + " note " + i
            + "\"}";
        producer.send(new ProducerRecord<>(ns + ".in.notes",
            ("device-" + (i % 5)).getBytes(StandardCharsets.UTF_8),
            payload.getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
    // Wait until the gateway has committed all inputs: the records now live only in its
    // buffer's changelog, none has been emitted.
    await().atMost(Duration.ofSeconds(60)).until(() -> committedInputs(ns) == n);
    assertThat(readResults(ns, Duration.ofSeconds(2))).isEmpty();

    first.destroyForcibly();
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();

    Process second = child(state.resolve("b"), "50ms", decoder);
    try {
      List<InferenceResult> results = new ArrayList<>();
      await().atMost(Duration.ofSeconds(90)).until(() -> {
        results.clear();
        results.addAll(readResults(ns, Duration.ofSeconds(1)));
        return results.size() >= n;
      });
      Map<String, Integer> copies = new HashMap<>();
      results.forEach(r -> copies.merge(r.getEventId(), 1, Integer::sum));
      assertThat(copies).hasSize(n);
      assertThat(copies.values()).allMatch(c -> c == 1);
      return results;
    } finally {
      second.destroyForcibly();
      second.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static Process child(Path stateDir, String maxWait, String decoder) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java,
        "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.sluice.schemas",
        "-cp", System.getProperty("java.class.path"),
        InferCrashChild.class.getName(), kafka.bootstrapServers(), stateDir.toString(), maxWait));
    if (decoder != null) {
      command.add(decoder);
    }
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
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

  private static long committedInputs(String ns) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        kafka.bootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> offsets = admin
          .listConsumerGroupOffsets(ns + "-gateway").partitionsToOffsetAndMetadata()
          .get(10, TimeUnit.SECONDS);
      return offsets.entrySet().stream()
          .filter(e -> e.getKey().topic().equals(ns + ".in.notes") && e.getValue() != null)
          .mapToLong(e -> e.getValue().offset()).sum();
    }
  }

  private static List<InferenceResult> readResults(String ns, Duration quiet) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<InferenceResult> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = List.of(new TopicPartition(ns + ".results", 0),
          new TopicPartition(ns + ".results", 1));
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
