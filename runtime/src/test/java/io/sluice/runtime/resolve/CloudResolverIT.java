package io.sluice.runtime.resolve;

import static io.sluice.runtime.resolve.ResolverTraffic.forwarded;
import static io.sluice.runtime.resolve.ResolverTraffic.producer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.connectors.embedded.EmbeddedKafka;
import io.sluice.operators.cloud.ResolveProcessor;
import io.sluice.runtime.RuntimeOptions;
import io.sluice.runtime.TopologyRuntime;
import io.sluice.runtime.resolve.ScriptedOpenAiServer.Fault;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.ForwardedRecord;
import io.sluice.schemas.InferenceResult;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.TopologySpec;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cloud topology resolving with an {@code openai} model on a real Kafka broker, against a
 * real HTTP server that answers with 429s, 500s, slow replies and replies that are not JSON:
 * every forwarded event comes out exactly once, as a verdict or in review with its reason, also
 * when the instance stops with calls in flight and another takes over.
 */
class CloudResolverIT {

  static final String TOPOLOGY = """
      apiVersion: sluice/v1
      kind: Cloud
      metadata: {name: resolver-it, namespace: rit}
      brokers:
        kafka: {bootstrap: "%s", partitions: 3}
      models:
        llm:
          kind: openai
          baseUrl: "%s"
          model: scripted
          apiKey: "${KEY}"
          maxConcurrency: %d
          timeout: 1s
          maxRetries: 6
      resolve:
        from: rit.forward
        classify:
          model: llm
          labels:
            electrical: {description: electrical faults, examples: [breaker tripped]}
            hydraulic: {description: leaks and pumps, examples: [hose leaking]}
            mechanical: {description: bearings and belts, examples: [belt worn]}
        feedbackMinConfidence: 0.5
      """;

  static String labelOf(String text) {
    return text.contains("leak") ? "hydraulic" : text.contains("belt") ? "mechanical"
        : "electrical";
  }

  static final String[] TEXTS = {"hose leaking on press", "belt worn on conveyor",
      "breaker tripped again", "oil leak under pump", "fuse blown in panel"};

  @Test
  void everyForwardedEventIsAVerdictOrInReviewExactlyOnceThroughFaults(@TempDir Path dir)
      throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        ScriptedOpenAiServer server = ScriptedOpenAiServer.start(
            new ScriptedOpenAiServer.Settings(10, 2_000, 0, ScriptedOpenAiServer.mix(11,
                Map.of(Fault.RATE_LIMITED, 0.1, Fault.SERVER_ERROR, 0.1, Fault.SLOW, 0.05,
                    Fault.NOT_JSON, 0.12, Fault.WRONG_LABEL, 0.05)),
                CloudResolverIT::labelOf))) {
      TopologySpec spec = spec(kafka, server, 4);
      Map<String, String> sent = new LinkedHashMap<>();
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      try (TopologyRuntime cloud = TopologyRuntime.start(spec,
          new RuntimeOptions(dir.resolve("a"), 0, 0, null), registry, Clock.systemUTC())) {
        try (KafkaProducer<String, ForwardedRecord> producer = producer(kafka.bootstrapServers())) {
          for (int i = 0; i < 60; i++) {
            String id = "e" + i;
            sent.put(id, TEXTS[i % TEXTS.length] + " #" + i);
            producer.send(new ProducerRecord<>("rit.forward", id, forwarded(id, sent.get(id))));
            if (i % 6 == 0) { // the cloud link is at-least-once: some arrive twice
              producer.send(new ProducerRecord<>("rit.forward", id,
                  forwarded(id, sent.get(id))));
            }
          }
        }
        Map<String, List<InferenceResult>> out = readUntil(kafka, spec, sent.size());
        assertExactlyOnce(out, sent);
        assertThat(cloud.health().components()).containsKey("resolver.llm");
        assertThat(registry.find("sluice.resolver.retries").counter().count()).isPositive();
      }
    }
  }

  @Test
  void callsInFlightWhenAnInstanceStopsAreSentAgainByTheNextAndAnsweredOnce(@TempDir Path dir)
      throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        ScriptedOpenAiServer server = ScriptedOpenAiServer.start(
            new ScriptedOpenAiServer.Settings(300, 300, 0, n -> Fault.NONE,
                CloudResolverIT::labelOf))) {
      TopologySpec spec = spec(kafka, server, 2);
      Map<String, String> sent = new LinkedHashMap<>();
      int answeredBeforeStop;
      try (TopologyRuntime first = TopologyRuntime.start(spec,
          new RuntimeOptions(dir.resolve("a"), 0, 0, null), new SimpleMeterRegistry(),
          Clock.systemUTC())) {
        try (KafkaProducer<String, ForwardedRecord> producer = producer(kafka.bootstrapServers())) {
          for (int i = 0; i < 24; i++) {
            String id = "r" + i;
            sent.put(id, TEXTS[i % TEXTS.length] + " #" + i);
            producer.send(new ProducerRecord<>("rit.forward", id, forwarded(id, sent.get(id))));
          }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> server.requests() >= 4);
        answeredBeforeStop = server.requests();
      }
      assertThat(answeredBeforeStop).isLessThan(24);
      try (TopologyRuntime second = TopologyRuntime.start(spec,
          new RuntimeOptions(dir.resolve("b"), 0, 0, null), new SimpleMeterRegistry(),
          Clock.systemUTC())) {
        Map<String, List<InferenceResult>> out = readUntil(kafka, spec, sent.size());
        assertExactlyOnce(out, sent);
        assertThat(out.getOrDefault(spec.topics().review(), List.of())).isEmpty();
      }
    }
  }

  private static TopologySpec spec(EmbeddedKafka kafka, ScriptedOpenAiServer server,
      int concurrency) {
    return new TopologyLoader(Map.of("KEY", "sk-it")::get).parse(TOPOLOGY.formatted(
        kafka.bootstrapServers(), server.baseUrl(), concurrency), "cloud.yaml");
  }

  private static void assertExactlyOnce(Map<String, List<InferenceResult>> out,
      Map<String, String> sent) {
    List<InferenceResult> all = new ArrayList<>();
    out.values().forEach(all::addAll);
    assertThat(all).extracting(InferenceResult::getEventId)
        .containsExactlyInAnyOrderElementsOf(sent.keySet());
    for (InferenceResult r : out.getOrDefault("rit.verdicts", List.of())) {
      assertThat(r.getLabel()).as(r.getEventId()).isEqualTo(labelOf(sent.get(r.getEventId())));
    }
    for (InferenceResult r : out.getOrDefault("rit.review", List.of())) {
      assertThat(r.getAttributes().get(ResolveProcessor.REVIEW_REASON))
          .matches("(contract|unavailable): .*");
    }
  }

  private static Map<String, List<InferenceResult>> readUntil(EmbeddedKafka kafka,
      TopologySpec spec, int expected) {
    Map<String, List<InferenceResult>> byTopic = new HashMap<>();
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "rit-check-" + System.nanoTime());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p,
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(spec.topics().verdicts(), spec.topics().review()));
      await().atMost(Duration.ofSeconds(120)).until(() -> {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          byTopic.computeIfAbsent(r.topic(), t -> new ArrayList<>()).add(
              AvroSerdes.inferenceResult().deserializer().deserialize(r.topic(), r.value()));
        }
        return byTopic.values().stream().mapToInt(List::size).sum() >= expected;
      });
      // Anything past the expected count would be a duplicate: read a little longer.
      for (int i = 0; i < 5; i++) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          byTopic.computeIfAbsent(r.topic(), t -> new ArrayList<>()).add(
              AvroSerdes.inferenceResult().deserializer().deserialize(r.topic(), r.value()));
        }
      }
    }
    return byTopic;
  }


}
