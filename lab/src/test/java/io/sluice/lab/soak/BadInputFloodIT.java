package io.sluice.lab.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.lab.soak.internal.SoakEvents.Event;
import io.sluice.lab.soak.internal.SoakEvents.Kind;
import io.sluice.lab.soak.internal.SoakEvents;
import io.sluice.lab.soak.internal.SoakPublisher;
import io.sluice.runtime.RuntimeOptions;
import io.sluice.runtime.TopologyRuntime;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.DeadLetter;
import io.sluice.schemas.DeadLetterType;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.TopologySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * 10,000 bad messages (malformed JSON, oversized, invalid UTF-8, wrong schema: 2,500 of each)
 * mixed into 2,000 valid notes, over real brokers: every bad one reaches the dead-letter topic
 * with its raw bytes and a reason of the right type, every valid one reaches the results, and
 * none of either ends in the other place.
 */
class BadInputFloodIT {

  static final String TOPOLOGY = """
      apiVersion: sluice/v1
      kind: Gateway
      metadata: {name: flood, namespace: flood}
      brokers:
        mqtt: {url: embedded}
        kafka: {bootstrap: embedded, partitions: 3}
      sources:
        - {name: notes, mqtt: {topic: "soak/+/notes", qos: 1}, schema: TextEvent}
      pipelines:
        - name: triage
          from: notes
          steps:
            - redact: {patterns: [email, phone]}
          route:
            - {to: local}
      limits: {maxPayloadBytes: 4KiB}
      """;

  static final Map<Kind, Set<DeadLetterType>> EXPECTED = Map.of(
      Kind.MALFORMED, Set.of(DeadLetterType.MALFORMED),
      Kind.OVERSIZED, Set.of(DeadLetterType.OVERSIZED),
      Kind.INVALID_UTF8, Set.of(DeadLetterType.INVALID_UTF8),
      Kind.WRONG_SCHEMA, Set.of(DeadLetterType.WRONG_TYPE, DeadLetterType.MISSING_FIELD));

  @Test
  void everyBadMessageReachesTheDeadLetterTopicWithAReasonWhileValidOnesFlow() throws Exception {
    TopologySpec spec = new TopologyLoader(name -> null).parse(TOPOLOGY, "flood.yaml");
    Clock clock = Clock.systemUTC();
    List<String> texts = List.of("bearing noise on pump 2, call 555-123-4567",
        "replace hydraulic hose on press 4", "oil leak under gearbox of conveyor 7");
    SoakEvents bad = new SoakEvents("f-", texts, 8, 1.0, 0, 4096, new SplittableRandom(1), clock);
    SoakEvents valid = new SoakEvents("f-", texts, 8, 0, 0, 4096, new SplittableRandom(2), clock);
    int total = 12_000;
    Map<String, Kind> kinds = new ConcurrentHashMap<>();
    try (TopologyRuntime runtime = TopologyRuntime.start(spec, RuntimeOptions.temporary(),
        new SimpleMeterRegistry(), clock)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> runtime.health().up());
      try (SoakPublisher devices = new SoakPublisher(runtime.mqttUrl(), "flood-devices", n -> {
        Event e = n % 6 == 5 ? valid.next(n) : bad.next(n);
        kinds.put(e.id(), e.kind());
        return e;
      }, 4_000, 200, clock)) {
        devices.limit(total);
        devices.start();
        await().atMost(Duration.ofSeconds(120))
            .until(() -> devices.issued() == total && devices.unconfirmed() == 0);
        assertThat(devices.published()).isEqualTo(total);
      }
      Map<String, Kind> published = Map.copyOf(kinds);
      long badCount = published.values().stream().filter(Kind::bad).count();
      assertThat(badCount).isEqualTo(10_000);

      Map<String, DeadLetter> letters = new HashMap<>();
      Map<String, Integer> results = new HashMap<>();
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2)).until(() -> {
        letters.clear();
        for (ConsumerRecord<byte[], byte[]> r : TopicScan.all(runtime.kafkaBootstrap(),
            spec.topics().deadLetters())) {
          DeadLetter d = AvroSerdes.deadLetter().deserializer().deserialize(r.topic(), r.value());
          SoakEvents.idIn(d.getRaw().array()).ifPresent(id -> letters.put(id, d));
        }
        results.clear();
        for (ConsumerRecord<byte[], byte[]> r : TopicScan.all(runtime.kafkaBootstrap(),
            spec.topics().results())) {
          results.merge(AvroSerdes.inferenceResult().deserializer()
              .deserialize(r.topic(), r.value()).getEventId(), 1, Integer::sum);
        }
        return letters.size() + results.size() >= published.size();
      });

      Map<Kind, Integer> perKind = new EnumMap<>(Kind.class);
      published.forEach((id, kind) -> {
        if (kind.bad()) {
          DeadLetter d = letters.get(id);
          assertThat(d).as("dead letter of %s (%s)", id, kind).isNotNull();
          assertThat(EXPECTED.get(kind)).as("%s of %s", d.getErrorType(), id)
              .contains(d.getErrorType());
          assertThat(d.getReason()).isNotBlank();
          // oversized payloads stop at the ingress, before Kafka; the rest at the decoder
          assertThat(d.getSourceTopic()).isEqualTo(kind == Kind.OVERSIZED
              ? "mqtt:" + d.getHeaders().get("sluice.mqtt.topic")
              : spec.topics().input("notes"));
          assertThat(d.getHeaders()).containsKey("sluice.mqtt.topic");
          assertThat(results).doesNotContainKey(id);
          perKind.merge(kind, 1, Integer::sum);
        } else {
          assertThat(results).as("result of %s", id).containsKey(id);
          assertThat(letters).doesNotContainKey(id);
        }
      });
      assertThat(perKind).containsOnlyKeys(EXPECTED.keySet());
      assertThat(perKind.values()).containsOnly(2_500);
      assertThat(results.values()).containsOnly(1);
      assertThat(letters.values()).filteredOn(d -> d.getErrorType() == DeadLetterType.OVERSIZED)
          .allSatisfy(d -> assertThat(d.getReason())
              .contains("over limits.maxPayloadBytes (4096)"));
    }
  }
}
