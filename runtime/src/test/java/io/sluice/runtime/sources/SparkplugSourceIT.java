package io.sluice.runtime.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.connectors.embedded.FreePorts;
import io.sluice.connectors.embedded.MosquittoBroker;
import io.sluice.connectors.testing.Subscriber;
import io.sluice.runtime.RuntimeOptions;
import io.sluice.runtime.TopologyRuntime;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.DeadLetter;
import io.sluice.schemas.DeadLetterType;
import io.sluice.schemas.InferenceResult;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.TopologySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Sparkplug B edge node built from Eclipse Tahu's classes talks to the gateway as a primary
 * host application, through the embedded broker and through real Mosquitto: its readings reach
 * the anomaly window, a bad payload reaches the dead-letter topic, a sequence gap brings exactly
 * one rebirth request (which the edge node answers), and the STATE goes online and offline.
 */
class SparkplugSourceIT {

  @TempDir Path dir;

  static String topology(String mqttUrl) {
    return """
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: spb-gateway, namespace: spb}
        brokers:
          mqtt: {url: "%s", clientId: spb-gateway}
          kafka: {bootstrap: embedded, partitions: 2}
        sources:
          - name: line
            mqtt: {topic: "spBv1.0/plant/#"}
            format: sparkplug
            schema: SensorReading
            sparkplug: {hostId: sluice-it, rebirthInterval: 1h}
        pipelines:
          - name: line-watch
            from: line
            steps:
              - window: {size: 10m}
            route:
              - {to: local}
        """.formatted(mqttUrl);
  }

  @Test
  void throughTheEmbeddedBroker() throws Exception {
    run("embedded");
  }

  @Test
  void throughMosquitto() throws Exception {
    assumeTrue(MosquittoBroker.binary().isPresent(),
        "mosquitto is not installed (apt-get install mosquitto); skipping");
    try (MosquittoBroker broker = MosquittoBroker.start(dir.resolve("mosquitto"),
        FreePorts.next())) {
      run(broker.url());
    }
  }

  private void run(String mqttUrl) throws Exception {
    TopologySpec spec = new TopologyLoader(name -> null).parse(topology(mqttUrl), "spb.yaml");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Subscriber watcher;
    try (TopologyRuntime runtime = TopologyRuntime.start(spec, RuntimeOptions.temporary(),
        registry, Clock.systemUTC())) {
      await().atMost(Duration.ofSeconds(60)).until(() -> runtime.health().up());
      String url = runtime.mqttUrl();
      watcher = new Subscriber(url, "state-watcher", "spBv1.0/STATE/sluice-it");
      await().atMost(Duration.ofSeconds(10)).until(() -> !watcher.all().isEmpty());
      assertThat(last(watcher)).contains("\"online\":true").contains("\"timestamp\":");

      try (TahuEdgeNode edge = new TahuEdgeNode(url, "plant", "edge1", "press4", 0);
          KafkaConsumer<byte[], byte[]> consumer = consumer(runtime.kafkaBootstrap())) {
        edge.births();
        // the detector learns from 150 readings before it scores (docs/anomaly.md)
        for (int i = 0; i < 160; i++) {
          edge.data(20.0 + (i % 3) * 0.1);
        }
        edge.publishRaw("DDATA", "not protobuf at all \u0001\u00ff".getBytes(
            StandardCharsets.ISO_8859_1));
        edge.skip(2);
        edge.data(21.0);
        await().atMost(Duration.ofSeconds(30)).until(() -> edge.commands.size() >= 1);
        // the edge node answered the request with new births; data goes on in sequence
        for (int i = 0; i < 10; i++) {
          edge.data(20.0);
        }
        edge.data(95.0);

        List<InferenceResult> results = new CopyOnWriteArrayList<>();
        List<DeadLetter> dead = new CopyOnWriteArrayList<>();
        consumer.subscribe(List.of(spec.topics().results(), spec.topics().deadLetters()));
        await().atMost(Duration.ofSeconds(60)).until(() -> {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            if (r.topic().equals(spec.topics().results())) {
              results.add(AvroSerdes.inferenceResult().deserializer().deserialize(r.topic(),
                  r.value()));
            } else {
              dead.add(AvroSerdes.deadLetter().deserializer().deserialize(r.topic(),
                  r.value()));
            }
          }
          return results.stream().anyMatch(r -> r.getValue() != null && r.getValue() == 95.0);
        });

        List<InferenceResult> temperatures = results.stream()
            .filter(r -> "Temperature".equals(r.getMetric())).toList();
        // 2 births + 160 + 1 + 10 + 1 data messages
        assertThat(temperatures).hasSizeGreaterThanOrEqualTo(174);
        assertThat(temperatures).allSatisfy(r -> {
          assertThat(r.getDeviceId()).isEqualTo("plant/edge1/press4");
          assertThat(r.getAttributes()).containsEntry("unit", "degC");
        });
        assertThat(temperatures).filteredOn(r -> r.getAnomalyScore() != null).isNotEmpty();
        InferenceResult spike = temperatures.stream().filter(r -> r.getValue() == 95.0)
            .findFirst().orElseThrow();
        double steadiest = temperatures.stream().filter(r -> r.getValue() < 30)
            .filter(r -> r.getAnomalyScore() != null)
            .mapToDouble(InferenceResult::getAnomalyScore).max().orElse(0);
        assertThat(spike.getAnomalyScore()).as("spike %s, steady at most %s", spike, steadiest)
            .isGreaterThan(steadiest);
        assertThat(dead).singleElement().satisfies(d -> {
          assertThat(d.getErrorType()).isEqualTo(DeadLetterType.MALFORMED);
          assertThat(d.getReason()).contains("not a Sparkplug B payload");
          assertThat(new String(d.getRaw().array(), StandardCharsets.ISO_8859_1))
              .startsWith("not protobuf at all");
        });
        assertThat(edge.commands).hasSize(1);
        assertThat(registry.get("sluice.sparkplug.rebirth.requests").counter().count())
            .isEqualTo(1);
        assertThat(registry.get("sluice.sparkplug.sequence.gaps").counter().count())
            .isEqualTo(1);
        assertThat(registry.get("sluice.sparkplug.stale.nodes").gauge().value()).isZero();
      }
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> last(watcher).contains("false"));
    assertThat(last(watcher)).contains("\"online\":false");
    watcher.close();
  }

  private static String last(Subscriber watcher) {
    List<String> all = watcher.all();
    return all.isEmpty() ? "" : all.get(all.size() - 1);
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "spb-check");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
