package io.sluice.lab.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.connectors.embedded.EmbeddedKafka;
import io.sluice.lab.soak.internal.SoakEvents.Kind;
import io.sluice.lab.soak.internal.SoakEvents;
import io.sluice.lab.soak.internal.SoakPublisher;
import io.sluice.runtime.RuntimeOptions;
import io.sluice.runtime.TopologyRuntime;
import io.sluice.topology.testing.KeywordTextModels;
import io.sluice.schemas.AvroSerdes;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.TopologySpec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Restricted records never leave the gateway. Half the notes are restricted and carry a canary
 * string in their text and in an extra field; every other note is sent to the cloud by the
 * topology, so the path to the cloud is live throughout. No canary may appear in any topic bound
 * for or living in the cloud: the gateway's forward and summaries topics, and the cloud's forward,
 * summaries, verdicts and feedback topics. As a control, the same search finds every canary in
 * the gateway's local results, where restricted records belong.
 */
class RestrictedCanaryIT {

  static final String GATEWAY = """
      apiVersion: sluice/v1
      kind: Gateway
      metadata: {name: canary, namespace: canary}
      brokers:
        mqtt: {url: embedded}
        kafka: {bootstrap: embedded, partitions: 2}
      models: {enc: {bundle: "classpath:all-minilm-l6-v2-q"}}
      sources:
        - {name: notes, mqtt: {topic: "soak/+/notes", qos: 1}, schema: TextEvent}
      pipelines:
        - name: triage
          from: notes
          steps:
            - redact: {patterns: [email, phone]}
            - classify: {model: enc, labels: {x: [x]}}
          route:
            - {when: restricted, to: local}
            - {to: cloud}
      cloud: {bootstrap: "%s"}
      """;

  static final String CLOUD = """
      apiVersion: sluice/v1
      kind: Cloud
      metadata: {name: cloud, namespace: canary}
      brokers: {kafka: {bootstrap: "%s", partitions: 2}}
      models: {strong: {bundle: "classpath:all-minilm-l6-v2-q"}}
      resolve:
        from: canary.forward
        classify: {model: strong, labels: {x: [x]}}
      """;

  @Test
  void noCanaryOfARestrictedRecordEverReachesACloudTopic() throws Exception {
    Clock clock = Clock.systemUTC();
    TopologyLoader loader = new TopologyLoader(name -> null);
    try (EmbeddedKafka cloudKafka = EmbeddedKafka.start()) {
      String cloudBootstrap = cloudKafka.bootstrapServers();
      TopologySpec cloudSpec = loader.parse(CLOUD.formatted(cloudBootstrap), "cloud.yaml");
      TopologySpec gatewaySpec = loader.parse(GATEWAY.formatted(cloudBootstrap), "gateway.yaml");
      // Keyword models: the test is about where records go, not what a model makes of them.
      try (TopologyRuntime cloud = TopologyRuntime.start(cloudSpec, RuntimeOptions.temporary(),
              new SimpleMeterRegistry(), clock, KeywordTextModels.factory());
          TopologyRuntime gateway = TopologyRuntime.start(gatewaySpec,
              RuntimeOptions.temporary(), new SimpleMeterRegistry(), clock,
              KeywordTextModels.factory())) {
        await().atMost(Duration.ofSeconds(60)).until(() -> gateway.health().up());
        SoakEvents events = new SoakEvents("c-", List.of("leak at valve 3 mail a@b.example",
            "bearing noise on pump 2", "fuse blown in cabinet 4"), 4, 0, 0.5, 65_536,
            new SplittableRandom(5), clock);
        Map<String, Kind> published;
        try (SoakPublisher devices = new SoakPublisher(gateway.mqttUrl(), "canary-devices",
            events::next, 200, 50, clock)) {
          devices.limit(400);
          devices.start();
          await().atMost(Duration.ofSeconds(60))
              .until(() -> devices.issued() == 400 && devices.unconfirmed() == 0);
          published = devices.publishedEvents();
        }
        Set<String> restricted = new HashSet<>();
        Set<String> open = new HashSet<>();
        published.forEach((id, kind) -> (kind == Kind.RESTRICTED ? restricted : open).add(id));
        assertThat(restricted).hasSizeGreaterThan(150);
        assertThat(open).hasSizeGreaterThan(150);

        // Wait until every open note was resolved by the cloud and every restricted one is a
        // local result: the cloud has seen all it ever will.
        String results = gatewaySpec.topics().results();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() ->
            ids(cloudBootstrap, cloudSpec.topics().verdicts()).containsAll(open)
                && ids(gateway.kafkaBootstrap(), results).containsAll(restricted));
        assertThat(TopicScan.all(cloudBootstrap, cloudSpec.resolve().orElseThrow()
            .feedbackTopic())).isNotEmpty();

        for (String topic : List.of(gatewaySpec.topics().forward(),
            gatewaySpec.topics().summaries())) {
          assertThat(canaries(gateway.kafkaBootstrap(), topic)).as("gateway " + topic).isZero();
        }
        for (String topic : List.of("canary.forward", "canary.summaries",
            cloudSpec.topics().verdicts(), "canary.feedback")) {
          assertThat(canaries(cloudBootstrap, topic)).as("cloud " + topic).isZero();
        }
        assertThat(canaries(gateway.kafkaBootstrap(), results)).isEqualTo(restricted.size());
      }
    }
  }

  private static Set<String> ids(String bootstrap, String topic) {
    Set<String> out = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> r : TopicScan.all(bootstrap, topic)) {
      out.add(AvroSerdes.inferenceResult().deserializer().deserialize(topic, r.value())
          .getEventId());
    }
    return out;
  }

  /** Records of a topic whose raw bytes hold a canary (Latin-1 keeps every byte). */
  private static long canaries(String bootstrap, String topic) {
    return TopicScan.all(bootstrap, topic).stream()
        .filter(r -> r.value() != null && new String(r.value(), StandardCharsets.ISO_8859_1)
            .contains(SoakEvents.CANARY))
        .count();
  }
}
