package io.sluice.runtime.crash;

import static io.sluice.runtime.resolve.ResolverTraffic.forwarded;
import static io.sluice.runtime.resolve.ResolverTraffic.producer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.connectors.embedded.EmbeddedKafkaCluster;
import io.sluice.runtime.resolve.ScriptedOpenAiServer;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.ForwardedRecord;
import io.sluice.schemas.InferenceResult;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out: two cloud instances, each its own JVM, share the partitions of the forward topic
 * on a three-node KRaft cluster (every topic replicated three times, min.insync.replicas 2)
 * and resolve over HTTP. One is SIGKILLed mid-stream with calls in flight; the other takes its
 * partitions and its buffered records, and every forwarded event gets exactly one verdict, also
 * the events the link delivered twice (dedupe holds across instances: an event's copies share a
 * partition, whichever instance owns it).
 */
class CloudScaleOutIT {

  @TempDir Path dir;

  @Test
  void killingOneOfTwoInstancesLosesNothingAndDuplicatesNothing() throws Exception {
    try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(3);
        ScriptedOpenAiServer server = ScriptedOpenAiServer.start(
            new ScriptedOpenAiServer.Settings(150, 150, 0, n -> ScriptedOpenAiServer.Fault.NONE,
                text -> text.contains("leak") ? "hydraulic" : "electrical"))) {
      Process first = child(kafka, server, dir.resolve("a"));
      Process second = child(kafka, server, dir.resolve("b"));
      try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin
          .create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
        // Every partition of the forward topic and of the resolver's changelog on all 3 nodes.
        for (String topic : List.of("scale.forward", "scale-scale-cloud-resolving-changelog")) {
          admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
              .get(topic).partitions().forEach(p ->
                  assertThat(p.replicas()).as(topic + " replicas").hasSize(3));
        }
        int events = 120;
        try (KafkaProducer<String, ForwardedRecord> producer = producer(kafka.bootstrapServers())) {
          for (int i = 0; i < events; i++) {
            String id = "s" + i;
            String text = (i % 2 == 0 ? "hose leaking " : "breaker tripped ") + i;
            producer.send(new ProducerRecord<>("scale.forward", id, forwarded(id, text)));
            if (i % 4 == 0) {
              producer.send(new ProducerRecord<>("scale.forward", id, forwarded(id, text)));
            }
          }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> server.requests() >= 30);
        first.destroyForcibly();
        first.waitFor(30, TimeUnit.SECONDS);

        Map<String, List<InferenceResult>> byEvent = read(kafka, events);
        assertThat(byEvent).hasSize(events);
        byEvent.forEach((id, verdicts) -> {
          assertThat(verdicts).as("verdicts on %s", id).hasSize(1);
          int n = Integer.parseInt(id.substring(1));
          assertThat(verdicts.get(0).getLabel()).isEqualTo(n % 2 == 0 ? "hydraulic"
              : "electrical");
        });
      } finally {
        first.destroyForcibly();
        second.destroyForcibly();
        second.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  private static Map<String, List<InferenceResult>> read(EmbeddedKafkaCluster kafka,
      int events) {
    Map<String, List<InferenceResult>> byEvent = new HashMap<>();
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "scale-check");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p,
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of("scale.verdicts", "scale.review"));
      await().atMost(Duration.ofSeconds(120)).until(() -> {
        collect(consumer, byEvent);
        return byEvent.size() >= events;
      });
      for (int i = 0; i < 10; i++) { // a duplicate would show up here
        collect(consumer, byEvent);
      }
    }
    return byEvent;
  }

  private static void collect(KafkaConsumer<byte[], byte[]> consumer,
      Map<String, List<InferenceResult>> byEvent) {
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
      InferenceResult result = AvroSerdes.inferenceResult().deserializer()
          .deserialize(r.topic(), r.value());
      byEvent.computeIfAbsent(result.getEventId(), k -> new ArrayList<>()).add(result);
    }
  }

  private static Process child(EmbeddedKafkaCluster kafka, ScriptedOpenAiServer server,
      Path data)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(List.of(java,
        "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.sluice.schemas",
        "-cp", System.getProperty("java.class.path"), CloudCrashChild.class.getName(),
        kafka.bootstrapServers(), data.toString(), server.baseUrl()))
        .redirectErrorStream(true).start();
    CountDownLatch running = new CountDownLatch(1);
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8));
    Thread drain = new Thread(() -> {
      try {
        String line;
        while ((line = out.readLine()) != null) {
          if (line.contains("RUNNING")) {
            running.countDown();
          }
        }
      } catch (java.io.IOException ignored) {
        // process ended
      }
    });
    drain.setDaemon(true);
    drain.start();
    assertThat(running.await(120, TimeUnit.SECONDS)).as("cloud instance running").isTrue();
    return process;
  }


}
