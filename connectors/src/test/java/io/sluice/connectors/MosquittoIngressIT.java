package io.sluice.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.connectors.embedded.EmbeddedKafka;
import io.sluice.connectors.embedded.MosquittoBroker;
import io.sluice.connectors.mqtt.MqttIngress;
import io.sluice.connectors.mqtt.MqttIngressSettings;
import io.sluice.connectors.mqtt.MqttSubscription;
import io.sluice.connectors.testing.Closer;
import io.sluice.connectors.testing.Kafkas;
import io.sluice.connectors.testing.Publishers;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingress against real Mosquitto ({@code persistence true}, {@code max_queued_messages 0}) on
 * a free loopback port: MQTT 3.1.1 and MQTT 5 devices, a restart mid-stream, a restart while the
 * gateway is away, and two gateways sharing a subscription. Skipped when Mosquitto is not
 * installed.
 */
class MosquittoIngressIT {

  @TempDir
  static Path dir;
  static EmbeddedKafka kafka;
  static MosquittoBroker mosquitto;

  @BeforeAll
  static void startBrokers() {
    assumeTrue(MosquittoBroker.binary().isPresent(),
        "Mosquitto is not installed ('apt-get install -y mosquitto'; .ci/run does it):"
            + " skipping the tests against real Mosquitto");
    kafka = EmbeddedKafka.start();
    mosquitto = MosquittoBroker.start(dir.resolve("mosquitto"), 0);
  }

  @AfterAll
  static void stopBrokers() throws Exception {
    Closer.closeAll(mosquitto, kafka);
  }

  @Test
  void mqtt311AndMqtt5DevicesBothArriveInOrder() throws Exception {
    String topic = "it.mosq.versions";
    kafka.createTopics(Map.of(topic, 3));
    int perDevice = 200;
    try (KafkaProducer<byte[], byte[]> producer = Kafkas.producer(kafka.bootstrapServers());
        MqttIngress ingress = new MqttIngress(
            MqttBrokerRestartIT.settings(mosquitto, "it-mosq-versions", topic), producer,
            new SimpleMeterRegistry(), Clock.systemUTC())) {
      ingress.start();
      await().atMost(Duration.ofSeconds(30))
          .until(() -> ingress.state() == MqttIngress.State.CONNECTED);
      Publishers.publishV311(mosquitto.url(), "it-mosq-v311", List.of("v3a", "v3b"), perDevice);
      MqttClient v5 = Publishers.v5(mosquitto.url(), "it-mosq-v5");
      Publishers.publish(v5, List.of("v5a", "v5b"), perDevice);
      v5.disconnect();
      v5.close();
      List<String> devices = List.of("v3a", "v3b", "v5a", "v5b");
      MqttIngressIT.assertEachDeviceInOrder(
          MqttIngressIT.awaitRecords(kafka, topic, perDevice * 4L, ingress), devices, perDevice);
    }
  }

  @Test
  void aRestartMidStreamLosesNothingAndKeepsEachDevicesOrder() throws Exception {
    MqttBrokerRestartIT.restartMidStream(mosquitto, kafka, "it.mosq.restart",
        "it-mosq-restart", true);
  }

  @Test
  void messagesQueuedForTheSessionSurviveARestart() throws Exception {
    MqttBrokerRestartIT.queuedWhileAwaySurviveRestart(mosquitto, kafka, "it.mosq.queued",
        "it-mosq-queued", true);
  }

  @Test
  void twoGatewaysShareASubscriptionAndEachMessageLandsOnce() throws Exception {
    String topic = "it.mosq.shared";
    kafka.createTopics(Map.of(topic, 3));
    String filter = "$share/gateways/plant/+/notes";
    MeterRegistry registry = new SimpleMeterRegistry();
    List<String> devices = List.of("s1", "s2", "s3", "s4");
    int perDevice = 150;
    try (KafkaProducer<byte[], byte[]> p1 = Kafkas.producer(kafka.bootstrapServers());
        KafkaProducer<byte[], byte[]> p2 = Kafkas.producer(kafka.bootstrapServers());
        MqttIngress a = new MqttIngress(shared("it-mosq-share-a", filter, topic), p1, registry,
            Clock.systemUTC());
        MqttIngress b = new MqttIngress(shared("it-mosq-share-b", filter, topic), p2, registry,
            Clock.systemUTC())) {
      a.start();
      b.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> a.state() == MqttIngress.State.CONNECTED
          && b.state() == MqttIngress.State.CONNECTED);
      MqttClient publisher = Publishers.v5(mosquitto.url(), "it-mosq-share-devices");
      Publishers.publish(publisher, devices, perDevice);
      publisher.disconnect();
      publisher.close();
      int total = perDevice * devices.size();
      List<ConsumerRecord<byte[], byte[]>> all =
          MqttIngressIT.awaitRecords(kafka, topic, total, a, b);
      assertThat(all).hasSize(total);
      assertThat(MqttBrokerRestartIT.distinct(all)).hasSize(total);
      assertThat(registry.get("sluice.mqtt.received").tag("client", "it-mosq-share-a").counter()
          .count()).isPositive();
      assertThat(registry.get("sluice.mqtt.received").tag("client", "it-mosq-share-b").counter()
          .count()).isPositive();
    }
  }

  private static MqttIngressSettings shared(String clientId, String filter, String topic) {
    return MqttIngressSettings.of(mosquitto.url(), clientId,
        List.of(new MqttSubscription("notes", filter, 1, topic, -1)));
  }
}
