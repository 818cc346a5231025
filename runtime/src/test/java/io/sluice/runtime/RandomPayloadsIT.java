package io.sluice.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.connectors.testing.Publishers;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.DeadLetter;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.RecordHeaders;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.TopologySpec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * Whatever devices send, valid traffic flows and every message ends in exactly one place: each
 * try publishes, through a real (embedded) broker to one running gateway, valid readings mixed
 * with random payloads (0 bytes to 16 MB; random bytes, random JSON, truncated JSON). Every valid
 * reading must reach the results once, every other message the dead-letter topic once (found by
 * its device, which is unique per message), and the gateway must stay healthy.
 */
class RandomPayloadsIT {

  private static TopologyRuntime runtime;
  private static TopologySpec spec;
  private static KafkaConsumer<byte[], byte[]> consumer;
  private static final Map<String, Integer> results = new HashMap<>();
  private static final Map<String, Integer> deadLetters = new HashMap<>();
  private static final AtomicInteger tries = new AtomicInteger();

  @BeforeContainer
  static void start() {
    spec = new TopologyLoader(name -> null).parse("""
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: random-gateway, namespace: random}
        brokers:
          mqtt: {url: embedded, clientId: random-gateway}
          kafka: {bootstrap: embedded, partitions: 2}
        sources:
          - name: sensors
            mqtt: {topic: "plant/+/sensors", deviceIdLevel: 1}
            schema: SensorReading
        pipelines:
          - {name: pass, from: sensors, route: [{to: local}]}
        """, "random.yaml");
    runtime = TopologyRuntime.start(spec, RuntimeOptions.temporary(), new SimpleMeterRegistry(),
        Clock.systemUTC());
    await().atMost(Duration.ofSeconds(60)).until(() -> runtime.health().up());
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, runtime.kafkaBootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "random-check");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(spec.topics().results(), spec.topics().deadLetters()));
  }

  @AfterContainer
  static void stop() {
    consumer.close();
    runtime.close();
  }

  @Property(tries = 8)
  void everyMessageEndsInExactlyOneOutputOrTheDeadLetters(@ForAll long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    int t = tries.incrementAndGet();
    Set<String> valid = new HashSet<>();
    Set<String> poison = new HashSet<>();
    MqttClient client = Publishers.v5(runtime.mqttUrl(), "random-devices-" + t);
    try {
      for (int i = 0; i < 30; i++) {
        String device = "t" + t + "-m" + i;
        byte[] payload;
        if (random.nextInt(3) == 0) {
          payload = ("{\"deviceId\":\"" + device + "\",\"metric\":\"temperature\",\"value\":"
              + i + ",\"eventId\":\"" + device + "\"}").getBytes(StandardCharsets.UTF_8);
          valid.add(device);
        } else {
          payload = poison(random);
          poison.add(device);
        }
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        Publishers.publishRetryingWhenFull(client, "plant/" + device + "/sensors", m);
      }
    } finally {
      client.disconnect();
      client.close();
    }
    String prefix = "t" + t + "-";
    await().atMost(Duration.ofSeconds(90)).until(() -> {
      drain();
      return valid.stream().allMatch(results::containsKey)
          && poison.stream().allMatch(deadLetters::containsKey);
    });
    assertThat(runtime.health().up()).isTrue();
    for (String d : valid) {
      assertThat(results.get(d)).as("results of %s", d).isEqualTo(1);
      assertThat(deadLetters).doesNotContainKey(d);
    }
    for (String d : poison) {
      assertThat(deadLetters.get(d)).as("dead letters of %s", d).isEqualTo(1);
      assertThat(results).doesNotContainKey(d);
    }
    assertThat(results.keySet().stream().filter(k -> k.startsWith(prefix)).count()
        + deadLetters.keySet().stream().filter(k -> k.startsWith(prefix)).count())
        .isEqualTo(30);
  }

  /** Random bytes, random JSON, cut-off JSON or nothing; now and then up to 16 MB. */
  private static byte[] poison(SplittableRandom random) {
    int size = random.nextInt(20) == 0 ? random.nextInt(16 * 1024 * 1024)
        : random.nextInt(20) == 0 ? 64 * 1024 + random.nextInt(1024 * 1024)
        : random.nextInt(2_000);
    switch (random.nextInt(4)) {
      case 0 -> {
        byte[] b = new byte[size];
        random.nextBytes(b);
        // never valid JSON by chance: a NUL first
        if (b.length > 0) {
          b[0] = 0;
        }
        return b;
      }
      case 1 -> {
        StringBuilder json = new StringBuilder("{\"deviceId\":\"x\",\"junk\":\"");
        while (json.length() < size) {
          json.append((char) ('a' + random.nextInt(26)));
        }
        return json.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
      }
      case 2 -> {
        return ("{\"deviceId\":\"x\",\"metric\":\"t\",\"value\":" + "9".repeat(
            Math.max(1, size / 2))).getBytes(StandardCharsets.UTF_8);
      }
      default -> {
        return new byte[0];
      }
    }
  }

  private static void drain() {
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
      if (r.topic().equals(spec.topics().results())) {
        InferenceResult result = AvroSerdes.inferenceResult().deserializer()
            .deserialize(r.topic(), r.value());
        results.merge(result.getDeviceId(), 1, Integer::sum);
      } else {
        DeadLetter d = AvroSerdes.deadLetter().deserializer().deserialize(r.topic(), r.value());
        String device = d.getHeaders().getOrDefault(RecordHeaders.DEVICE_ID, "");
        deadLetters.merge(device, 1, Integer::sum);
      }
    }
  }
}
