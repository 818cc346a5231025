package io.sluice.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.runtime.RuntimeOptions;
import io.sluice.runtime.TopologyRuntime;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.DeadLetter;
import io.sluice.schemas.DeadLetterType;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.RecordKind;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.TopologySpec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;

/**
 * The whole foundation path on real embedded brokers: Paho publishes N messages, some malformed,
 * and exactly N records come out across the results and dead-letter topics, with their content.
 */
class GatewayPassThroughIT {

  static final String TOPOLOGY = """
      apiVersion: sluice/v1
      kind: Gateway
      metadata: {name: it-gateway, namespace: it}
      brokers:
        mqtt: {url: embedded}
        kafka: {bootstrap: embedded, partitions: 2}
      sources:
        - name: notes
          mqtt: {topic: "plant/+/notes"}
          schema: TextEvent
        - name: sensors
          mqtt: {topic: "plant/+/sensors/#"}
          schema: SensorReading
      limits: {maxPayloadBytes: 4KiB}
      """;

  @Test
  void everyPublishedMessageEndsInResultsOrDeadLetters() throws Exception {
    TopologySpec spec = new TopologyLoader(name -> null).parse(TOPOLOGY, "it.yaml");
    try (TopologyRuntime runtime = TopologyRuntime.start(spec, RuntimeOptions.temporary(),
        new SimpleMeterRegistry(), Clock.systemUTC())) {
      await().atMost(Duration.ofSeconds(60)).until(() -> runtime.health().up());

      Map<String, String> goodTexts = new HashMap<>();
      Map<String, Double> goodValues = new HashMap<>();
      Map<String, DeadLetterType> badKinds = new HashMap<>();
      MqttClient device = new MqttClient(runtime.mqttUrl(), "it-device", new MemoryPersistence());
      device.connect(new MqttConnectionOptions());
      int n = 240;
      for (int i = 0; i < n; i++) {
        String id = "e-" + i;
        switch (i % 6) {
          case 0, 1 -> {
            goodTexts.put(id, "note number " + i);
            publish(device, "plant/m" + (i % 3) + "/notes",
                "{\"eventId\":\"" + id + "\",\"text\":\"note number " + i + "\"}");
          }
          case 2, 3 -> {
            goodValues.put(id, i * 1.5);
            publish(device, "plant/m" + (i % 3) + "/sensors/temp",
                "{\"eventId\":\"" + id + "\",\"metric\":\"temp\",\"value\":" + (i * 1.5) + "}");
          }
          case 4 -> {
            badKinds.put("bad-json-" + i, DeadLetterType.MALFORMED);
            publish(device, "plant/m1/notes", "{\"eventId\":\"" + id + "\",\"text\":");
          }
          default -> {
            badKinds.put("bad-type-" + i, DeadLetterType.WRONG_TYPE);
            publish(device, "plant/m2/sensors/temp",
                "{\"eventId\":\"" + id + "\",\"metric\":\"temp\",\"value\":\"hot\"}");
          }
        }
      }
      device.disconnect();
      device.close();

      List<InferenceResult> results = new ArrayList<>();
      List<DeadLetter> deadLetters = new ArrayList<>();
      try (KafkaConsumer<byte[], byte[]> consumer = consumer(runtime.kafkaBootstrap())) {
        consumer.subscribe(List.of(spec.topics().results(), spec.topics().deadLetters()));
        await().atMost(Duration.ofSeconds(90)).until(() -> {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            if (r.topic().equals(spec.topics().results())) {
              results.add(AvroSerdes.inferenceResult().deserializer().deserialize(r.topic(),
                  r.value()));
            } else {
              deadLetters.add(AvroSerdes.deadLetter().deserializer().deserialize(r.topic(),
                  r.value()));
            }
          }
          return results.size() + deadLetters.size() >= n;
        });
      }

      assertThat(results.size() + deadLetters.size()).isEqualTo(n);
      assertThat(results).hasSize(goodTexts.size() + goodValues.size());
      for (InferenceResult r : results) {
        if (r.getKind() == RecordKind.TEXT) {
          assertThat(r.getText()).isEqualTo(goodTexts.get(r.getEventId()));
          assertThat(r.getSource()).isEqualTo("notes");
        } else {
          assertThat(r.getValue()).isEqualTo(goodValues.get(r.getEventId()));
          assertThat(r.getMetric()).isEqualTo("temp");
          assertThat(r.getSource()).isEqualTo("sensors");
        }
        assertThat(r.getDeviceId()).matches("m[0-2]");
      }
      assertThat(deadLetters).hasSize(badKinds.size());
      assertThat(deadLetters).filteredOn(d -> d.getErrorType() == DeadLetterType.MALFORMED)
          .hasSize(n / 6)
          .allSatisfy(d -> {
            assertThat(new String(d.getRaw().array(), StandardCharsets.UTF_8))
                .endsWith("\"text\":");
            assertThat(d.getSourceTopic()).isEqualTo("it.in.notes");
            assertThat(d.getHeaders()).containsKey("sluice.mqtt.topic");
          });
      assertThat(deadLetters).filteredOn(d -> d.getErrorType() == DeadLetterType.WRONG_TYPE)
          .hasSize(n / 6)
          .allSatisfy(d -> assertThat(d.getReason()).contains("field 'value' must be a number"));
    }
  }

  private static void publish(MqttClient client, String topic, String payload) throws Exception {
    MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
    message.setQos(1);
    client.publish(topic, message);
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-check");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
