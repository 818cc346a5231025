package io.sluice.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.connectors.embedded.EmbeddedKafka;
import io.sluice.connectors.embedded.EmbeddedMqttBroker;
import io.sluice.connectors.embedded.LocalMqttBroker;
import io.sluice.connectors.mqtt.MqttIngress;
import io.sluice.connectors.mqtt.MqttIngressSettings;
import io.sluice.connectors.mqtt.MqttSubscription;
import io.sluice.connectors.testing.Closer;
import io.sluice.connectors.testing.Kafkas;
import io.sluice.connectors.testing.Publishers;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingress through restarts of a broker that keeps sessions (the embedded Artemis broker
 * with its journal on): QoS 1 messages are not lost, and messages queued for the gateway's
 * session while it was away are delivered after the restart.
 */
class MqttBrokerRestartIT {

  @TempDir
  static Path dir;
  static EmbeddedKafka kafka;
  static EmbeddedMqttBroker mqtt;

  @BeforeAll
  static void startBrokers() {
    kafka = EmbeddedKafka.start();
    mqtt = EmbeddedMqttBroker.start(0, dir.resolve("artemis"), true);
  }

  @AfterAll
  static void stopBrokers() throws Exception {
    Closer.closeAll(mqtt, kafka);
  }

  @Test
  void aBrokerRestartMidStreamLosesNoQos1Message() throws Exception {
    restartMidStream(mqtt, kafka, "it.restart.artemis", "it-restart-artemis", false);
  }

  @Test
  void messagesQueuedForTheSessionSurviveARestart() throws Exception {
    queuedWhileAwaySurviveRestart(mqtt, kafka, "it.restart.queued", "it-queued", false);
  }

  static MqttIngressSettings settings(LocalMqttBroker broker, String clientId, String topic) {
    return MqttIngressSettings.of(broker.url(), clientId,
            List.of(new MqttSubscription("notes", "plant/+/notes", 1, topic, -1)))
        .withReconnect(Duration.ofMillis(100), Duration.ofSeconds(1));
  }

  /**
   * Devices publish while the broker restarts; every message reaches Kafka. With
   * {@code checkOrder}, each device's first copies are also in publish order.
   */
  static void restartMidStream(LocalMqttBroker broker, EmbeddedKafka kafka, String topic,
      String clientId, boolean checkOrder) throws Exception {
    kafka.createTopics(Map.of(topic, 3));
    List<String> devices = List.of("d1", "d2", "d3");
    int perDevice = 600;
    MeterRegistry registry = new SimpleMeterRegistry();
    try (KafkaProducer<byte[], byte[]> producer = Kafkas.producer(kafka.bootstrapServers());
        MqttIngress ingress = new MqttIngress(settings(broker, clientId, topic), producer,
            registry, Clock.systemUTC())) {
      ingress.start();
      await().atMost(Duration.ofSeconds(30))
          .until(() -> ingress.state() == MqttIngress.State.CONNECTED);
      Publishers.Resilient devicesPublishing =
          new Publishers.Resilient(broker.url(), clientId + "-devices", devices, perDevice)
              .start();
      await().atMost(Duration.ofSeconds(60))
          .until(() -> Kafkas.count(kafka.bootstrapServers(), topic) >= 300);
      assertThat(devicesPublishing.done()).as("still publishing when the broker restarts")
          .isNotDone();
      broker.restart();
      devicesPublishing.done().get(180, java.util.concurrent.TimeUnit.SECONDS);
      int total = devicesPublishing.total();
      await().atMost(Duration.ofSeconds(120)).until(() -> distinct(
          Kafkas.readAll(kafka.bootstrapServers(), topic)).size() >= total);

      List<ConsumerRecord<byte[], byte[]>> all = Kafkas.readAll(kafka.bootstrapServers(), topic);
      Set<String> expected = new HashSet<>();
      for (String d : devices) {
        expected.addAll(MqttIngressIT.expected(d, perDevice));
      }
      assertThat(distinct(all)).as("every QoS 1 message, whatever the restart")
          .isEqualTo(expected);
      assertThat(registry.get("sluice.mqtt.reconnects").counter().count())
          .as("the ingress noticed the restart").isPositive();
      if (checkOrder) {
        Map<String, List<String>> byDevice = Kafkas.valuesByKey(all);
        for (String d : devices) {
          assertThat(Kafkas.firstOccurrences(byDevice.get(d))).as("first copies of %s", d)
              .isEqualTo(MqttIngressIT.expected(d, perDevice));
        }
      }
      System.out.printf("%s: %d messages published, %d records in Kafka (%d duplicates)%n",
          broker.description(), total, all.size(), all.size() - total);
    }
  }

  /**
   * The gateway is away while devices publish; the broker restarts; the gateway comes back
   * under the same client id and receives what was queued for its session.
   */
  static void queuedWhileAwaySurviveRestart(LocalMqttBroker broker, EmbeddedKafka kafka,
      String topic, String clientId, boolean checkOrder) throws Exception {
    kafka.createTopics(Map.of(topic, 3));
    List<String> devices = List.of("q1", "q2");
    int perDevice = 100;
    try (KafkaProducer<byte[], byte[]> producer = Kafkas.producer(kafka.bootstrapServers())) {
      try (MqttIngress first = new MqttIngress(settings(broker, clientId, topic), producer,
          new SimpleMeterRegistry(), Clock.systemUTC())) {
        first.start();
        await().atMost(Duration.ofSeconds(30))
            .until(() -> first.state() == MqttIngress.State.CONNECTED);
      }
      MqttClient publisher = Publishers.v5(broker.url(), clientId + "-devices");
      Publishers.publish(publisher, devices, perDevice);
      publisher.disconnect();
      publisher.close();
      assertThat(Kafkas.count(kafka.bootstrapServers(), topic)).isZero();

      broker.restart();

      try (MqttIngress again = new MqttIngress(settings(broker, clientId, topic), producer,
          new SimpleMeterRegistry(), Clock.systemUTC())) {
        again.start();
        await().atMost(Duration.ofSeconds(60))
            .until(() -> Kafkas.count(kafka.bootstrapServers(), topic) >= perDevice * 2L);
        await().atMost(Duration.ofSeconds(10)).until(() -> again.inFlight() == 0);
      }
      List<ConsumerRecord<byte[], byte[]>> all = Kafkas.readAll(kafka.bootstrapServers(), topic);
      Map<String, List<String>> byDevice = Kafkas.valuesByKey(all);
      for (String d : devices) {
        List<String> expected = MqttIngressIT.expected(d, perDevice);
        if (checkOrder) {
          assertThat(byDevice.get(d)).isEqualTo(expected);
        } else {
          assertThat(byDevice.get(d)).containsExactlyInAnyOrderElementsOf(expected);
        }
      }
    }
  }

  static Set<String> distinct(List<ConsumerRecord<byte[], byte[]>> records) {
    Set<String> out = new HashSet<>();
    records.forEach(r -> out.add(Kafkas.text(r.value())));
    return out;
  }
}
