package io.sluice.runtime.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.connectors.embedded.FreePorts;
import io.sluice.runtime.RuntimeOptions;
import io.sluice.runtime.TopologyRuntime;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.DeadLetter;
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
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway reads a real OPC UA server (Eclipse Milo's server SDK, which we did not write): one
 * node named by node id and one by browse path reach the pipeline as readings of device
 * {@code Press4}; a Bad value goes to the dead-letter topic; when the server goes away and comes
 * back on the same port, the source subscribes again and readings resume.
 */
class OpcUaSourceIT {

  @TempDir Path dir;

  private String topology(String endpoint) {
    return """
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: ua-gateway, namespace: ua}
        brokers:
          mqtt: {url: embedded, clientId: ua-gateway}
          kafka: {bootstrap: embedded, partitions: 1}
        sources:
          - name: press
            opcua:
              endpoint: "%s"
              trustDir: "%s"
              samplingInterval: 20ms
              nodes:
                - {node: "ns=2;s=Press4.Temperature"}
                - {browsePath: "Objects/2:Press4/2:Pressure", metric: pressure}
            schema: SensorReading
        pipelines:
          - name: press-watch
            from: press
            steps:
              - window: {size: 10m}
            route:
              - {to: local}
        """.formatted(endpoint, dir.resolve("client-pki"));
  }

  @Test
  void readsNodesSendsBadValuesToTheDeadLettersAndResubscribesAfterARestart()
      throws Exception {
    int port = FreePorts.next();
    PlantOpcUaServer server = new PlantOpcUaServer(port, dir.resolve("server-pki"));
    TopologySpec spec = new TopologyLoader(name -> null).parse(topology(server.endpoint()),
        "ua.yaml");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<InferenceResult> results = new CopyOnWriteArrayList<>();
    List<DeadLetter> dead = new CopyOnWriteArrayList<>();
    try (TopologyRuntime runtime = TopologyRuntime.start(spec, RuntimeOptions.temporary(),
        registry, Clock.systemUTC());
        KafkaConsumer<byte[], byte[]> consumer = consumer(runtime.kafkaBootstrap())) {
      await().atMost(Duration.ofSeconds(60)).until(() -> runtime.health().up());
      assertThat(runtime.health().components().get("opcua.press").state())
          .isEqualTo("SUBSCRIBED");
      consumer.subscribe(List.of(spec.topics().results(), spec.topics().deadLetters()));

      server.temperature(71.5);
      server.pressure(3.25);
      poll(consumer, spec, results, dead, () -> has(results, r -> r.getValue() == 71.5)
          && has(results, r -> r.getValue() == 3.25));
      InferenceResult temperature = results.stream().filter(r -> r.getValue() == 71.5)
          .findFirst().orElseThrow();
      assertThat(temperature.getDeviceId()).isEqualTo("Press4");
      assertThat(temperature.getMetric()).isEqualTo("Temperature");
      assertThat(temperature.getAttributes())
          .containsEntry("opcua.status", "Good")
          .containsEntry("opcua.node", "ns=2;s=Press4.Temperature");
      InferenceResult pressure = results.stream().filter(r -> r.getValue() == 3.25)
          .findFirst().orElseThrow();
      assertThat(pressure.getDeviceId()).isEqualTo("Press4");
      assertThat(pressure.getMetric()).isEqualTo("pressure");

      server.temperatureFailed();
      poll(consumer, spec, results, dead, () -> !dead.isEmpty());
      assertThat(dead).singleElement().satisfies(d -> {
        assertThat(d.getReason()).contains("ns=2;s=Press4.Temperature")
            .contains("Bad_SensorFailure");
        assertThat(new String(d.getRaw().array(), StandardCharsets.UTF_8))
            .contains("\"deviceId\":\"Press4\"").contains("Bad_SensorFailure");
      });

      server.close();
      await().atMost(Duration.ofSeconds(30)).until(() -> !"SUBSCRIBED".equals(
          runtime.health().components().get("opcua.press").state()));
      server = new PlantOpcUaServer(port, dir.resolve("server-pki"));
      await().atMost(Duration.ofSeconds(90)).until(() -> "SUBSCRIBED".equals(
          runtime.health().components().get("opcua.press").state()));
      PlantOpcUaServer restarted = server;
      // values set before the subscription is back may be missed; set until one arrives
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        restarted.temperature(88.0);
        drain(consumer, spec, results, dead);
        return has(results, r -> r.getValue() == 88.0);
      });
      assertThat(registry.get("sluice.opcua.reconnects").counter().count()).isPositive();
      assertThat(registry.get("sluice.opcua.dropped").tag("reason", "buffer-full").counter()
          .count()).isZero();
    } finally {
      server.close();
    }
  }

  private static boolean has(List<InferenceResult> results, Predicate<InferenceResult> p) {
    return results.stream().anyMatch(r -> r.getValue() != null && p.test(r));
  }

  private static void poll(KafkaConsumer<byte[], byte[]> consumer, TopologySpec spec,
      List<InferenceResult> results, List<DeadLetter> dead,
      java.util.concurrent.Callable<Boolean> done) {
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      drain(consumer, spec, results, dead);
      return done.call();
    });
  }

  private static void drain(KafkaConsumer<byte[], byte[]> consumer, TopologySpec spec,
      List<InferenceResult> results, List<DeadLetter> dead) {
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
      if (r.topic().equals(spec.topics().results())) {
        results.add(AvroSerdes.inferenceResult().deserializer().deserialize(r.topic(),
            r.value()));
      } else {
        dead.add(AvroSerdes.deadLetter().deserializer().deserialize(r.topic(), r.value()));
      }
    }
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "ua-check");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
