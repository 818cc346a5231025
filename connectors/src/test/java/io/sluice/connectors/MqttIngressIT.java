package io.sluice.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.connectors.embedded.EmbeddedKafka;
import io.sluice.connectors.embedded.EmbeddedMqttBroker;
import io.sluice.connectors.mqtt.MqttIngress;
import io.sluice.connectors.mqtt.MqttIngressSettings;
import io.sluice.connectors.mqtt.MqttSubscription;
import io.sluice.connectors.testing.ControlledProducer;
import io.sluice.connectors.testing.Closer;
import io.sluice.connectors.testing.Kafkas;
import io.sluice.connectors.testing.Publishers;
import io.sluice.schemas.RecordHeaders;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The MQTT ingress against real brokers: embedded Kafka and the embedded Artemis MQTT broker. */
class MqttIngressIT {

  static EmbeddedKafka kafka;
  static EmbeddedMqttBroker mqtt;

  @BeforeAll
  static void startBrokers() {
    // The ingress drops its MQTT connection on purpose when Kafka refuses a record. Paho 1.2.5
    // clears a client's callback when it closes, and an ack arriving at that moment makes the
    // closed client's receiver thread throw a NullPointerException. Awaitility reports uncaught
    // exceptions from any thread as the failure of the await in progress; these tests judge the
    // ingress by what reached Kafka (all there, in order, once), so they leave those alone.
    Awaitility.doNotCatchUncaughtExceptionsByDefault();
    kafka = EmbeddedKafka.start();
    mqtt = EmbeddedMqttBroker.start();
  }

  @AfterAll
  static void stopBrokers() throws Exception {
    Awaitility.reset();
    Closer.closeAll(mqtt, kafka);
  }

  static MqttIngressSettings settings(String clientId, String filter, String kafkaTopic) {
    return MqttIngressSettings.of(mqtt.url(), clientId,
            List.of(new MqttSubscription("notes", filter, 1, kafkaTopic, -1)))
        .withReconnect(Duration.ofMillis(100), Duration.ofSeconds(1));
  }

  static void awaitConnected(MqttIngress ingress) {
    await().atMost(Duration.ofSeconds(30))
        .until(() -> ingress.state() == MqttIngress.State.CONNECTED);
  }

  static void publish(String clientId, List<String> devices, int perDevice) throws Exception {
    MqttClient publisher = Publishers.v5(mqtt.url(), clientId);
    Publishers.publish(publisher, devices, perDevice);
    publisher.disconnect();
    publisher.close();
  }

  /** Waits for {@code total} records in {@code topic} and nothing in flight, then reads them. */
  static List<ConsumerRecord<byte[], byte[]>> awaitRecords(EmbeddedKafka kafka, String topic,
      long total, MqttIngress... ingresses) {
    await().atMost(Duration.ofSeconds(60))
        .until(() -> Kafkas.count(kafka.bootstrapServers(), topic) >= total);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> java.util.Arrays.stream(ingresses).allMatch(i -> i.inFlight() == 0));
    return Kafkas.readAll(kafka.bootstrapServers(), topic);
  }

  /** Each device's messages are all there, once each, in publish order. */
  static void assertEachDeviceInOrder(List<ConsumerRecord<byte[], byte[]>> all,
      List<String> devices, int perDevice) {
    Map<String, List<String>> byDevice = Kafkas.valuesByKey(all);
    assertThat(byDevice).containsOnlyKeys(devices);
    for (String device : devices) {
      assertThat(byDevice.get(device)).as("messages of %s", device)
          .isEqualTo(expected(device, perDevice));
    }
  }

  static List<String> expected(String device, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Publishers.payload(device, i));
    }
    return out;
  }

  @Test
  void everyMessageReachesKafkaKeyedByDeviceInPublishOrder() throws Exception {
    String topic = "it.in.notes";
    kafka.createTopics(Map.of(topic, 3));
    int perDevice = 300;
    List<String> devices = List.of("press-1", "press-2", "lathe-9");
    try (KafkaProducer<byte[], byte[]> producer = Kafkas.producer(kafka.bootstrapServers());
        MqttIngress ingress = new MqttIngress(settings("it-ingress", "plant/+/notes", topic),
            producer, new SimpleMeterRegistry(), Clock.systemUTC())) {
      ingress.start();
      awaitConnected(ingress);
      publish("it-publisher", devices, perDevice);
      List<ConsumerRecord<byte[], byte[]>> all =
          awaitRecords(kafka, topic, perDevice * 3L, ingress);
      assertThat(all).hasSize(perDevice * devices.size());
      for (ConsumerRecord<byte[], byte[]> r : all) {
        String key = Kafkas.text(r.key());
        assertThat(header(r, RecordHeaders.MQTT_TOPIC)).isEqualTo("plant/" + key + "/notes");
        assertThat(header(r, RecordHeaders.SOURCE)).isEqualTo("notes");
        assertThat(header(r, RecordHeaders.DEVICE_ID)).isEqualTo(key);
        assertThat(Long.parseLong(header(r, RecordHeaders.RECEIVED_AT))).isPositive();
      }
      assertEachDeviceInOrder(all, devices, perDevice);
    }
  }

  /**
   * Kafka confirms nothing for a while: the broker stops at the receive maximum, the ingress
   * acknowledges nothing, and when Kafka catches up every message is there once, in order.
   */
  @Test
  void aSlowKafkaStopsTheFlowAtTheReceiveMaximumAndLosesNothing() throws Exception {
    String topic = "it.in.slow";
    kafka.createTopics(Map.of(topic, 3));
    int receiveMaximum = 20;
    List<String> devices = List.of("s1", "s2", "s3");
    int perDevice = 100;
    MeterRegistry registry = new SimpleMeterRegistry();
    try (ControlledProducer producer =
            new ControlledProducer(Kafkas.producer(kafka.bootstrapServers()));
        MqttIngress ingress = new MqttIngress(
            settings("it-slow", "plant/+/notes", topic).withReceiveMaximum(receiveMaximum),
            producer, registry, Clock.systemUTC())) {
      producer.closeGate();
      ingress.start();
      awaitConnected(ingress);
      publish("it-slow-publisher", devices, perDevice);

      await().atMost(Duration.ofSeconds(30)).until(() -> producer.outstanding() == receiveMaximum);
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
          .until(() -> producer.outstanding() == receiveMaximum
              && ingress.inFlight() == receiveMaximum);
      assertThat(registry.get("sluice.mqtt.acknowledged").counter().count())
          .as("nothing acknowledged while Kafka has confirmed nothing").isZero();

      producer.open();
      List<ConsumerRecord<byte[], byte[]>> all =
          awaitRecords(kafka, topic, perDevice * 3L, ingress);
      assertThat(all).hasSize(perDevice * devices.size());
      assertEachDeviceInOrder(all, devices, perDevice);
      assertThat(producer.peakOutstanding()).isLessThanOrEqualTo(receiveMaximum);
      assertThat(registry.get("sluice.mqtt.acknowledged").counter().count())
          .isEqualTo(perDevice * devices.size());
    }
  }

  /** Kafka refuses records: the ingress drops the connection and the broker resends them. */
  @Test
  void aKafkaFailureLeavesTheMessagesWithTheBrokerWhichResendsThem() throws Exception {
    String topic = "it.in.refused";
    kafka.createTopics(Map.of(topic, 3));
    List<String> devices = List.of("r1", "r2");
    int perDevice = 100;
    MeterRegistry registry = new SimpleMeterRegistry();
    try (ControlledProducer producer =
            new ControlledProducer(Kafkas.producer(kafka.bootstrapServers()));
        MqttIngress ingress = new MqttIngress(settings("it-refused", "plant/+/notes", topic),
            producer, registry, Clock.systemUTC())) {
      producer.failNext(3);
      ingress.start();
      awaitConnected(ingress);
      publish("it-refused-publisher", devices, perDevice);
      List<ConsumerRecord<byte[], byte[]>> all =
          awaitRecords(kafka, topic, perDevice * 2L, ingress);
      assertThat(producer.failed()).isEqualTo(3);
      assertThat(registry.get("sluice.mqtt.kafka.failures").counter().count()).isEqualTo(3);
      assertThat(registry.get("sluice.mqtt.reconnects").counter().count())
          .isGreaterThanOrEqualTo(3);
      assertEachDeviceInOrder(all, devices, perDevice); // all there, in order, none twice
    }
  }

  /** Two gateway instances share one subscription: each message lands in Kafka once. */
  @Test
  void twoGatewaysShareASubscriptionAndEachMessageLandsOnce() throws Exception {
    String topic = "it.in.shared";
    kafka.createTopics(Map.of(topic, 3));
    List<String> devices = List.of("h1", "h2", "h3", "h4");
    int perDevice = 150;
    MeterRegistry registry = new SimpleMeterRegistry();
    String filter = "$share/gateways/plant/+/notes";
    try (KafkaProducer<byte[], byte[]> p1 = Kafkas.producer(kafka.bootstrapServers());
        KafkaProducer<byte[], byte[]> p2 = Kafkas.producer(kafka.bootstrapServers());
        MqttIngress a = new MqttIngress(settings("it-share-a", filter, topic), p1, registry,
            Clock.systemUTC());
        MqttIngress b = new MqttIngress(settings("it-share-b", filter, topic), p2, registry,
            Clock.systemUTC())) {
      a.start();
      b.start();
      awaitConnected(a);
      awaitConnected(b);
      publish("it-share-publisher", devices, perDevice);
      int total = perDevice * devices.size();
      List<ConsumerRecord<byte[], byte[]>> all = awaitRecords(kafka, topic, total, a, b);
      assertThat(all).hasSize(total);
      assertThat(new HashSet<>(all.stream().map(r -> Kafkas.text(r.value())).toList()))
          .hasSize(total);
      double byA = registry.get("sluice.mqtt.received").tag("client", "it-share-a").counter()
          .count();
      double byB = registry.get("sluice.mqtt.received").tag("client", "it-share-b").counter()
          .count();
      assertThat(byA + byB).isEqualTo(total);
      assertThat(byA).as("instance a took a share").isPositive();
      assertThat(byB).as("instance b took a share").isPositive();
    }
  }

  /** Devices that speak only MQTT 3.1.1 reach Kafka through the MQTT 5 ingress. */
  @Test
  void mqtt311DevicesArrive() throws Exception {
    String topic = "it.in.v311";
    kafka.createTopics(Map.of(topic, 3));
    List<String> devices = List.of("old-1", "old-2");
    int perDevice = 100;
    try (KafkaProducer<byte[], byte[]> producer = Kafkas.producer(kafka.bootstrapServers());
        MqttIngress ingress = new MqttIngress(settings("it-v311", "plant/+/notes", topic),
            producer, new SimpleMeterRegistry(), Clock.systemUTC())) {
      ingress.start();
      awaitConnected(ingress);
      Publishers.publishV311(mqtt.url(), "it-v311-publisher", devices, perDevice);
      assertEachDeviceInOrder(awaitRecords(kafka, topic, perDevice * 2L, ingress), devices,
          perDevice);
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    return Kafkas.text(r.headers().lastHeader(name).value());
  }
}
