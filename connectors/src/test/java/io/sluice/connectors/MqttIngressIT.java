package io.sluice.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.connectors.embedded.EmbeddedKafka;
import io.sluice.connectors.embedded.EmbeddedMqttBroker;
import io.sluice.connectors.mqtt.MqttIngress;
import io.sluice.connectors.mqtt.MqttIngressSettings;
import io.sluice.connectors.mqtt.MqttSubscription;
import io.sluice.schemas.RecordHeaders;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MqttIngressIT {

  static EmbeddedKafka kafka;
  static EmbeddedMqttBroker mqtt;

  @BeforeAll
  static void startBrokers() {
    kafka = EmbeddedKafka.start();
    mqtt = EmbeddedMqttBroker.start();
  }

  @AfterAll
  static void stopBrokers() {
    if (mqtt != null) {
      mqtt.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void everyMessageReachesKafkaKeyedByDeviceInPublishOrder() throws Exception {
    String topic = "it.in.notes";
    kafka.createTopics(Map.of(topic, 3));
    MqttSubscription sub = new MqttSubscription("notes", "plant/+/notes", 1, topic, -1);
    try (KafkaProducer<byte[], byte[]> producer = producer();
        MqttIngress ingress = new MqttIngress(MqttIngressSettings.of(mqtt.url(), "it-ingress",
            List.of(sub)), producer, new SimpleMeterRegistry(), Clock.systemUTC())) {
      ingress.start();
      await().atMost(Duration.ofSeconds(30))
          .until(() -> ingress.state() == MqttIngress.State.CONNECTED);

      int perDevice = 300;
      List<String> devices = List.of("press-1", "press-2", "lathe-9");
      MqttClient publisher = new MqttClient(mqtt.url(), "it-publisher", new MemoryPersistence());
      MqttConnectionOptions options = new MqttConnectionOptions();
      publisher.connect(options);
      for (int i = 0; i < perDevice; i++) {
        for (String device : devices) {
          MqttMessage message = new MqttMessage(
              ("{\"seq\":" + i + ",\"device\":\"" + device + "\"}").getBytes(StandardCharsets.UTF_8));
          message.setQos(1);
          publisher.publish("plant/" + device + "/notes", message);
        }
      }
      publisher.disconnect();
      publisher.close();

      Map<String, List<String>> byDevice = new HashMap<>();
      List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
      try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
        consumer.subscribe(List.of(topic));
        await().atMost(Duration.ofSeconds(60)).until(() -> {
          consumer.poll(Duration.ofMillis(200)).forEach(all::add);
          return all.size() >= perDevice * devices.size();
        });
      }
      for (ConsumerRecord<byte[], byte[]> r : all) {
        String key = new String(r.key(), StandardCharsets.UTF_8);
        byDevice.computeIfAbsent(key, k -> new ArrayList<>())
            .add(new String(r.value(), StandardCharsets.UTF_8));
        assertThat(header(r, RecordHeaders.MQTT_TOPIC)).isEqualTo("plant/" + key + "/notes");
        assertThat(header(r, RecordHeaders.SOURCE)).isEqualTo("notes");
        assertThat(Long.parseLong(header(r, RecordHeaders.RECEIVED_AT))).isPositive();
      }
      assertThat(all).hasSize(perDevice * devices.size());
      assertThat(byDevice).containsOnlyKeys(devices);
      for (String device : devices) {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < perDevice; i++) {
          expected.add("{\"seq\":" + i + ",\"device\":\"" + device + "\"}");
        }
        assertThat(byDevice.get(device)).as("order of %s", device).isEqualTo(expected);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> ingress.inFlight() == 0);
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  static KafkaProducer<byte[], byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  static KafkaConsumer<byte[], byte[]> consumer() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-reader");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
