package io.sluice.lab.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.connectors.embedded.EmbeddedKafka;
import io.sluice.connectors.embedded.EmbeddedMqttBroker;
import io.sluice.connectors.embedded.FreePorts;
import io.sluice.lab.soak.internal.Accounting;
import io.sluice.lab.soak.internal.GatewayProcess;
import io.sluice.lab.soak.internal.OutputLedger;
import io.sluice.lab.soak.internal.SoakEvents;
import io.sluice.lab.soak.internal.SoakPublisher;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.Topics;
import io.sluice.topology.spec.TopologySpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances of one gateway, each its own process, share one Kafka and one MQTT topic (a
 * shared subscription): the input partitions are split between them; one is killed with SIGKILL;
 * the other takes over its partitions and the whole topic, and no event is lost.
 *
 * <p>The broker is Artemis, whose shared subscription is one queue with competing consumers: what
 * was in flight to the killed instance goes back to the queue and to the survivor. (Mosquitto
 * instead keeps queueing a share for the away instance's session until it returns or expires;
 * see docs/RELIABILITY.md.)
 */
class TwoGatewaysIT {

  static final String TOPOLOGY = """
      apiVersion: sluice/v1
      kind: Gateway
      metadata: {name: pair, namespace: pair}
      brokers:
        mqtt: {url: "${MQTT_URL}", clientId: "${GATEWAY_ID}"}
        kafka: {bootstrap: "${KAFKA_BOOTSTRAP}", partitions: 4}
      sources:
        - {name: notes, mqtt: {topic: "$share/pair/soak/+/notes", qos: 1}, schema: TextEvent}
      pipelines:
        - name: triage
          from: notes
          steps:
            - redact: {patterns: [email, phone]}
          route:
            - {to: local}
      """;

  @Test
  void whenOneOfTwoInstancesIsKilledTheOtherTakesOverAndNothingIsLost(@TempDir Path dir)
      throws Exception {
    Clock clock = Clock.systemUTC();
    Path file = dir.resolve("pair.yaml");
    Files.writeString(file, TOPOLOGY);
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        EmbeddedMqttBroker mqtt = EmbeddedMqttBroker.start();
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers()))) {
      Map<String, String> env = Map.of("MQTT_URL", mqtt.url(),
          "KAFKA_BOOTSTRAP", kafka.bootstrapServers());
      TopologySpec spec = new TopologyLoader(name -> name.equals("GATEWAY_ID") ? "pair-a"
          : env.get(name)).load(file);
      String group = spec.metadata().namespace() + "-" + spec.metadata().name();
      GatewayProcess a = start(file, dir, "pair-a", env);
      GatewayProcess b = start(file, dir, "pair-b", env);
      try {
        await().atMost(Duration.ofSeconds(120)).until(() -> a.up() && b.up());
        // Partitions split: each instance (a static member named after its MQTT client id)
        // holds some of the four input partitions.
        await().atMost(Duration.ofSeconds(60)).until(() -> inputsByInstance(admin, group, spec)
            .values().stream().filter(n -> n > 0).count() == 2);
        Map<String, Integer> split = inputsByInstance(admin, group, spec);
        assertThat(split.keySet()).containsExactlyInAnyOrder("pair-a", "pair-b");
        assertThat(split.values()).allSatisfy(n -> assertThat(n).isBetween(1, 3));

        Topics t = spec.topics();
        SoakEvents events = new SoakEvents("p-", List.of("seal leaking on pump 3",
            "call 555-123-4567 about the press"), 8, 0.05, 0, 65_536, new SplittableRandom(9),
            clock);
        try (OutputLedger ledger = new OutputLedger(kafka.bootstrapServers(), null,
                new OutputLedger.Topics(List.of(t.input("notes")),
                    List.of(t.results(), t.review(), t.alerts()), t.alerts(), t.forward(),
                    List.of(t.summaries()), t.deadLetters(), null, null, List.of()), "p-");
            SoakPublisher devices = new SoakPublisher(mqtt.url(), "pair-devices",
                events::next, 50, 16, clock)) {
          devices.start();
          await().atMost(Duration.ofSeconds(60)).until(() -> ledger.delivered() >= 200);

          a.kill();

          // The survivor holds all four partitions once the killed member's session expires.
          await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
              .until(() -> inputsByInstance(admin, group, spec).equals(Map.of("pair-b", 4)));
          long atTakeOver = devices.published();
          await().atMost(Duration.ofSeconds(30)).until(() -> devices.published()
              >= atTakeOver + 200);
          devices.stopIssuing();
          await().atMost(Duration.ofSeconds(30)).until(() -> devices.unconfirmed() == 0);

          Map<String, SoakEvents.Kind> published = devices.publishedEvents();
          await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            Accounting.Books books = Accounting.settle(published, ledger::copies);
            return books.lost() == 0 && books.backlog() == 0
                && books.processingMismatches() == 0;
          });
          Accounting.Books books = Accounting.settle(published, ledger::copies);
          assertThat(books.published()).isGreaterThan(400);
          assertThat(books.delivered() + books.deadLettered()).isEqualTo(books.published());
          assertThat(books.misrouted()).isZero();
          assertThat(b.alive()).isTrue();
        }
      } finally {
        a.close();
        b.close();
      }
    }
  }

  private static GatewayProcess start(Path file, Path dir, String id, Map<String, String> env) {
    Map<String, String> all = new HashMap<>(env);
    all.put("GATEWAY_ID", id);
    return GatewayProcess.start(file, dir.resolve(id), FreePorts.next(), all,
        List.of("-Xmx512m", "-XX:+UseSerialGC"), dir.resolve(id + ".log"));
  }

  /** Input partitions each member of the gateway's group holds, by its group instance id. */
  private static Map<String, Integer> inputsByInstance(Admin admin, String group,
      TopologySpec spec) throws Exception {
    ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all()
        .get(10, TimeUnit.SECONDS).get(group);
    Map<String, Integer> out = new TreeMap<>();
    for (MemberDescription m : d.members()) {
      Set<TopicPartition> held = m.assignment().topicPartitions();
      // Kafka Streams names each thread's member <instance id>-<thread number>: sum per gateway.
      String member = m.groupInstanceId().orElse(m.consumerId());
      out.merge(member.replaceFirst("-\\d+$", ""), (int) held.stream()
          .filter(tp -> tp.topic().equals(spec.topics().input("notes"))).count(), Integer::sum);
    }
    return out;
  }
}
