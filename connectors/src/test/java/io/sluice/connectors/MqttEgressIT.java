package io.sluice.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.connectors.embedded.EmbeddedKafka;
import io.sluice.connectors.embedded.EmbeddedMqttBroker;
import io.sluice.connectors.embedded.FreePorts;
import io.sluice.connectors.mqtt.MqttEgress;
import io.sluice.connectors.mqtt.MqttEgressSettings;
import io.sluice.connectors.mqtt.MqttEndpoint;
import io.sluice.connectors.testing.Closer;
import io.sluice.connectors.testing.Kafkas;
import io.sluice.connectors.testing.Subscriber;
import io.sluice.schemas.RecordHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MQTT egress with real brokers: alerts from a Kafka topic reach MQTT subscribers at QoS 1
 * on the topic their header names, aborted Kafka transactions never do, a broker restart loses
 * nothing, and offsets are committed only for what the broker acknowledged.
 */
class MqttEgressIT {

  @TempDir
  static Path dir;
  static EmbeddedKafka kafka;
  /** Journal on, for restarts; it may reorder pipelined QoS 1 publishes (see docs). */
  static EmbeddedMqttBroker mqtt;
  /** In memory: keeps per-topic order. */
  static EmbeddedMqttBroker ordered;

  @BeforeAll
  static void startBrokers() {
    kafka = EmbeddedKafka.start();
    mqtt = EmbeddedMqttBroker.start(0, dir.resolve("artemis"), true);
    ordered = EmbeddedMqttBroker.start();
  }

  @AfterAll
  static void stopBrokers() throws Exception {
    Closer.closeAll(ordered, mqtt, kafka);
  }

  static MqttEgressSettings settings(String url, String clientId, String topic) {
    return MqttEgressSettings.of(MqttEndpoint.of(url, clientId), topic, clientId)
        .withReconnect(Duration.ofMillis(100), Duration.ofSeconds(1));
  }

  static ProducerRecord<byte[], byte[]> alert(String topic, String device, int seq) {
    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic,
        device.getBytes(StandardCharsets.UTF_8),
        alertText(device, seq).getBytes(StandardCharsets.UTF_8));
    r.headers().add(new RecordHeader(RecordHeaders.MQTT_TARGET,
        ("alerts/" + device).getBytes(StandardCharsets.UTF_8)));
    return r;
  }

  static String alertText(String device, int seq) {
    return "{\"alert\":\"" + device + "\",\"seq\":" + seq + "}";
  }

  static List<String> expected(String device, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(alertText(device, i));
    }
    return out;
  }

  static long committed(String group, String topic) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get();
      return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(topic))
          .mapToLong(e -> e.getValue().offset()).sum();
    }
  }

  @Test
  void committedAlertsArriveOnTheirTargetTopicsInOrderAndAbortedOnesNever() throws Exception {
    String topic = "it.alerts.basic";
    kafka.createTopics(Map.of(topic, 3));
    List<String> devices = List.of("pump-1", "pump-2", "fan-3");
    int perDevice = 100;
    Properties tx = new Properties();
    tx.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    tx.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-alerts-router");
    MeterRegistry registry = new SimpleMeterRegistry();
    try (Subscriber operator = new Subscriber(ordered.url(), "it-operator", "alerts/#");
        KafkaProducer<byte[], byte[]> router =
            new KafkaProducer<>(tx, new ByteArraySerializer(), new ByteArraySerializer());
        MqttEgress egress = new MqttEgress(settings(ordered.url(), "it-egress", topic),
            KafkaCluster.of("gateway", kafka.bootstrapServers()), registry, Clock.systemUTC())) {
      router.initTransactions();
      router.beginTransaction();
      for (int i = 0; i < perDevice; i++) {
        for (String d : devices) {
          router.send(alert(topic, d, i));
        }
      }
      router.send(new ProducerRecord<>(topic, "nowhere".getBytes(), "no target".getBytes()));
      router.commitTransaction();
      router.beginTransaction();
      router.send(alert(topic, "pump-1", 999_999));
      router.flush();
      router.abortTransaction();
      egress.start();

      int total = perDevice * devices.size();
      await().atMost(Duration.ofSeconds(60)).until(() -> operator.count() >= total);
      // Everything committed: the alerts, the skipped record and past the aborted transaction's
      // records and markers (the consumer moves over those).
      long end = Kafkas.count(kafka.bootstrapServers(), topic);
      await().atMost(Duration.ofSeconds(30))
          .until(() -> committed("it-egress", topic) >= total + 1);
      assertThat(committed("it-egress", topic)).isLessThanOrEqualTo(end);
      Map<String, List<String>> byTopic = operator.byTopic();
      assertThat(byTopic).containsOnlyKeys("alerts/pump-1", "alerts/pump-2", "alerts/fan-3");
      for (String d : devices) {
        assertThat(byTopic.get("alerts/" + d)).as("alerts of %s", d)
            .isEqualTo(expected(d, perDevice));
      }
      assertThat(operator.all()).noneMatch(m -> m.contains("999999"));
      assertThat(registry.get("sluice.mqtt.egress.published").counter().count()).isEqualTo(total);
      assertThat(registry.get("sluice.mqtt.egress.skipped").tag("reason", "no-target").counter()
          .count()).isEqualTo(1);
      assertThat(egress.state()).isEqualTo(MqttEgress.State.CONNECTED);
    }
  }

  /**
   * Mosquitto refuses publishes to a topic its ACL does not allow (PUBACK 0x87): that alert goes
   * to the dead-letter topic with its reason, the egress moves on, and the alerts behind it
   * arrive.
   */
  @Test
  void anAlertTheBrokerRefusesForGoodGoesToTheDeadLettersAndTheRestFlow() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        io.sluice.connectors.embedded.MosquittoBroker.binary().isPresent(),
        "mosquitto is not installed (apt-get install mosquitto); skipping");
    Path acl = dir.resolve("egress.acl");
    java.nio.file.Files.writeString(acl, "topic readwrite alerts/#\n");
    String topic = "it.alerts.refused";
    String dlq = "it.alerts.dlq";
    kafka.createTopics(Map.of(topic, 1, dlq, 1));
    MeterRegistry registry = new SimpleMeterRegistry();
    try (io.sluice.connectors.embedded.MosquittoBroker broker =
            io.sluice.connectors.embedded.MosquittoBroker.start(dir.resolve("mosquitto-acl"), 0,
                List.of("acl_file " + acl.toAbsolutePath()));
        Subscriber operator = new Subscriber(broker.url(), "it-acl-operator", "alerts/#");
        KafkaProducer<byte[], byte[]> router = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new ByteArraySerializer(), new ByteArraySerializer());
        MqttEgress egress = new MqttEgress(settings(broker.url(), "it-acl-egress", topic)
            .withDeadLetterTopic(dlq), KafkaCluster.of("gateway", kafka.bootstrapServers()),
            registry, Clock.systemUTC())) {
      for (int i = 0; i < 10; i++) {
        router.send(alert(topic, "pump-1", i));
        if (i == 4) {
          ProducerRecord<byte[], byte[]> forbidden = alert(topic, "pump-1", 100);
          forbidden.headers().remove(RecordHeaders.MQTT_TARGET);
          forbidden.headers().add(new RecordHeader(RecordHeaders.MQTT_TARGET,
              "forbidden/pump-1".getBytes(StandardCharsets.UTF_8)));
          router.send(forbidden);
        }
      }
      router.flush();
      egress.start();

      // Mosquitto 2.0 also drops the connection of a client it refuses, so what was in flight is
      // published again (at-least-once): each alert arrives, first copies in order
      await().atMost(Duration.ofSeconds(60)).until(() -> Kafkas.firstOccurrences(
          operator.byTopic().getOrDefault("alerts/pump-1", List.of())).size() >= 10);
      assertThat(Kafkas.firstOccurrences(operator.byTopic().get("alerts/pump-1")))
          .isEqualTo(expected("pump-1", 10));
      List<io.sluice.schemas.DeadLetter> dead = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        dead.clear();
        dead.addAll(Kafkas.readAll(kafka.bootstrapServers(), dlq).stream()
            .map(r -> io.sluice.schemas.AvroSerdes.deadLetter().deserializer()
                .deserialize(dlq, r.value())).toList());
        return !dead.isEmpty();
      });
      // one dead letter per time the record was sent (again after a reconnect), all for it
      assertThat(dead).isNotEmpty().allSatisfy(d -> {
        assertThat(d.getReason()).contains("forbidden/pump-1").contains("0x87");
        assertThat(new String(d.getRaw().array(), StandardCharsets.UTF_8))
            .isEqualTo(alertText("pump-1", 100));
        assertThat(d.getSourceTopic()).isEqualTo(topic);
      });
      await().atMost(Duration.ofSeconds(30)).until(() -> committed("it-acl-egress", topic) >= 11);
      // past the refused record for good: the count of its dead letters no longer changes
      assertThat(registry.get("sluice.relay.permanent.errors").tag("relay", "mqtt-egress")
          .tag("reason", "refused-0x87").counter().count())
          .isEqualTo(Kafkas.count(kafka.bootstrapServers(), dlq));
    }
  }

  /** The broker restarts mid-stream: every alert still reaches the subscriber. */
  @Test
  void aBrokerRestartLosesNoAlert() throws Exception {
    String topic = "it.alerts.restart";
    kafka.createTopics(Map.of(topic, 3));
    List<String> devices = List.of("a", "b", "c");
    int perDevice = 700;
    try (Subscriber operator = new Subscriber(mqtt.url(), "it-operator-2", "alerts/#");
        KafkaProducer<byte[], byte[]> router = Kafkas.producer(kafka.bootstrapServers());
        MqttEgress egress = new MqttEgress(settings(mqtt.url(), "it-egress-2", topic),
            KafkaCluster.of("gateway", kafka.bootstrapServers()), new SimpleMeterRegistry(),
            Clock.systemUTC())) {
      for (int i = 0; i < perDevice; i++) {
        for (String d : devices) {
          router.send(alert(topic, d, i));
        }
      }
      router.flush();
      egress.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> operator.count() >= 300);
      mqtt.restart();
      int total = perDevice * devices.size();
      await().atMost(Duration.ofSeconds(120))
          .until(() -> new HashSet<>(operator.all()).size() >= total);
      Set<String> expected = new HashSet<>();
      for (String d : devices) {
        expected.addAll(expected(d, perDevice));
      }
      assertThat(new HashSet<>(operator.all())).isEqualTo(expected);
      await().atMost(Duration.ofSeconds(30)).until(() -> committed("it-egress-2", topic) == total);
      System.out.printf("MQTT egress through a broker restart: %d alerts, %d messages received"
          + " (%d duplicates)%n", total, operator.count(), operator.count() - total);
    }
  }

  /** With no broker, nothing is committed and alerts wait in Kafka; then they all go. */
  @Test
  void withoutABrokerNothingIsCommittedAndAlertsWait() throws Exception {
    String topic = "it.alerts.nobroker";
    kafka.createTopics(Map.of(topic, 1));
    int port = FreePorts.next();
    MeterRegistry registry = new SimpleMeterRegistry();
    try (KafkaProducer<byte[], byte[]> router = Kafkas.producer(kafka.bootstrapServers());
        MqttEgress egress = new MqttEgress(settings("tcp://127.0.0.1:" + port, "it-egress-3",
            topic), KafkaCluster.of("gateway", kafka.bootstrapServers()), registry,
            Clock.systemUTC())) {
      for (int i = 0; i < 50; i++) {
        router.send(alert(topic, "late", i));
      }
      router.flush();
      egress.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> egress.backlog() == 50);
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
          .until(() -> egress.state() != MqttEgress.State.CONNECTED && egress.published() == 0);
      assertThat(committed("it-egress-3", topic)).isZero();

      try (EmbeddedMqttBroker late = EmbeddedMqttBroker.start(port, null, false);
          Subscriber operator = new Subscriber(late.url(), "it-operator-3", "alerts/#")) {
        await().atMost(Duration.ofSeconds(60)).until(() -> operator.count() >= 50);
        assertThat(operator.byTopic().get("alerts/late")).isEqualTo(expected("late", 50));
        await().atMost(Duration.ofSeconds(30)).until(() -> committed("it-egress-3", topic) == 50);
        await().atMost(Duration.ofSeconds(20)).until(() -> egress.backlog() == 0);
      }
    }
  }
}
