package io.sluice.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.connectors.embedded.FreePorts;
import io.sluice.connectors.embedded.MosquittoBroker;
import io.sluice.connectors.testing.Publishers;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.DeadLetter;
import io.sluice.schemas.DeadLetterType;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.RecordHeaders;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.TopologySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One bad message must not stop the gateway: between valid readings of two devices, one device
 * publishes a 2 MB payload (over limits.maxPayloadBytes, stopped at the door) and a 200 KB one
 * (under the limit, but over what the input topic takes, so Kafka refuses it for good). Both
 * reach the dead-letter topic with their first bytes, size and reason; every valid reading
 * reaches the results once and in order per device; the gateway stays healthy. Through the
 * embedded broker and through real Mosquitto.
 */
class PoisonMessageIT {

  @TempDir Path dir;

  private static final int PER_DEVICE = 40;

  static String topology(String mqttUrl) {
    return """
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: poison-gateway, namespace: poison}
        brokers:
          mqtt: {url: "%s", clientId: poison-gateway}
          kafka: {bootstrap: embedded, partitions: 2}
        sources:
          - name: sensors
            mqtt: {topic: "plant/+/sensors", deviceIdLevel: 1}
            schema: SensorReading
        pipelines:
          - {name: pass, from: sensors, route: [{to: local}]}
        limits: {maxPayloadBytes: 512KiB}
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
    TopologySpec spec = new TopologyLoader(name -> null).parse(topology(mqttUrl), "poison.yaml");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (TopologyRuntime runtime = TopologyRuntime.start(spec, RuntimeOptions.temporary(),
        registry, Clock.systemUTC())) {
      await().atMost(Duration.ofSeconds(60)).until(() -> runtime.health().up());
      // the input topic takes records up to 100 kB: a 200 kB payload passes the door and is
      // refused by Kafka, for good
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
          runtime.kafkaBootstrap()))) {
        admin.incrementalAlterConfigs(Map.of(
            new ConfigResource(ConfigResource.Type.TOPIC, spec.topics().input("sensors")),
            List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", "100000"),
                AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
      }
      MqttClient device = Publishers.v5(runtime.mqttUrl(), "poison-devices");
      try {
        for (int i = 0; i < PER_DEVICE; i++) {
          for (String d : List.of("d1", "d2")) {
            publish(device, d, reading(d, i));
          }
          if (i == 10) {
            publish(device, "d1", filled('x', 2_000_000));
          }
          if (i == 20) {
            publish(device, "d2", filled('y', 200_000));
          }
        }
      } finally {
        device.disconnect();
        device.close();
      }

      List<InferenceResult> results = new CopyOnWriteArrayList<>();
      List<DeadLetter> dead = new CopyOnWriteArrayList<>();
      try (KafkaConsumer<byte[], byte[]> consumer = consumer(runtime.kafkaBootstrap())) {
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
          return results.size() >= 2 * PER_DEVICE && dead.size() >= 2;
        });
      }
      assertThat(runtime.health().up()).isTrue();
      assertThat(results).extracting(InferenceResult::getEventId).doesNotHaveDuplicates()
          .hasSize(2 * PER_DEVICE);
      for (String d : List.of("d1", "d2")) {
        List<Double> values = results.stream().filter(r -> r.getDeviceId().equals(d))
            .map(InferenceResult::getValue).toList();
        List<Double> expected = new ArrayList<>();
        for (int i = 0; i < PER_DEVICE; i++) {
          expected.add((double) i);
        }
        assertThat(values).as("readings of %s in order", d).isEqualTo(expected);
      }
      assertThat(dead).hasSize(2);
      DeadLetter atTheDoor = dead.stream().filter(x -> x.getHeaders().get("sluice.device-id")
          .equals("d1")).findFirst().orElseThrow();
      assertThat(atTheDoor.getErrorType()).isEqualTo(DeadLetterType.OVERSIZED);
      assertThat(atTheDoor.getReason()).contains("2000000 bytes")
          .contains("limits.maxPayloadBytes");
      assertThat(atTheDoor.getHeaders()).containsEntry(RecordHeaders.PAYLOAD_SIZE, "2000000")
          .containsEntry(RecordHeaders.PAYLOAD_TRUNCATED, "true")
          .containsEntry("sluice.mqtt.topic", "plant/d1/sensors");
      assertThat(atTheDoor.getRaw().remaining()).isEqualTo(TopologyRuntime.POISON_KEPT_BYTES);
      DeadLetter refused = dead.stream().filter(x -> x.getHeaders().get("sluice.device-id")
          .equals("d2")).findFirst().orElseThrow();
      assertThat(refused.getErrorType()).isEqualTo(DeadLetterType.OVERSIZED);
      assertThat(refused.getReason()).contains("Kafka refused the record for good")
          .contains("record-too-large");
      assertThat(refused.getHeaders()).containsEntry(RecordHeaders.PAYLOAD_SIZE, "200000");
      assertThat(registry.get("sluice.relay.permanent.errors").tag("reason", "oversized")
          .counter().count()).isEqualTo(1);
      assertThat(registry.get("sluice.relay.permanent.errors").tag("reason", "record-too-large")
          .counter().count()).isEqualTo(1);
    }
  }

  private static String reading(String device, int i) {
    return "{\"deviceId\":\"" + device + "\",\"metric\":\"temperature\",\"value\":" + i
        + ",\"eventId\":\"" + device + "-" + i + "\"}";
  }

  private static String filled(char c, int size) {
    char[] chars = new char[size];
    Arrays.fill(chars, c);
    return new String(chars);
  }

  private static void publish(MqttClient client, String device, String payload)
      throws Exception {
    MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
    m.setQos(1);
    Publishers.publishRetryingWhenFull(client, "plant/" + device + "/sensors", m);
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "poison-check");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
