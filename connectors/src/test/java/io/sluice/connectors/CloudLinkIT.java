package io.sluice.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.connectors.embedded.EmbeddedKafka;
import io.sluice.connectors.embedded.TopicAdmin;
import io.sluice.connectors.link.CloudLink;
import io.sluice.connectors.link.CloudLinkSettings;
import io.sluice.connectors.link.LinkRoute;
import io.sluice.connectors.testing.Closer;
import io.sluice.connectors.testing.Kafkas;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cloud link between two real Kafka clusters, with the cloud cut off for over 60 s under
 * load: the gateway keeps taking records, and after recovery every forwarded record reaches the
 * cloud, in order per key (first copies), with key and headers kept; feedback flows the other
 * way. Duplicates are possible and counted.
 */
class CloudLinkIT {

  static final String NS = "sluice";
  static final int KEYS = 20;

  @TempDir
  static Path dir;
  static EmbeddedKafka gateway;
  static EmbeddedKafka cloud;

  @BeforeAll
  static void startClusters() {
    gateway = EmbeddedKafka.start();
    cloud = EmbeddedKafka.start(dir.resolve("cloud"), 0);
    createTopics(gateway.bootstrapServers());
    createTopics(cloud.bootstrapServers());
  }

  static void createTopics(String bootstrap) {
    TopicAdmin.ensureTopics(bootstrap,
        Map.of(NS + ".forward", 3, NS + ".summaries", 1, NS + ".feedback", 3),
        Map.of(NS + ".feedback", Map.of("cleanup.policy", "compact")));
  }

  @AfterAll
  static void stopClusters() throws Exception {
    Closer.closeAll(cloud, gateway);
  }

  /** Writes forwarded records to the gateway, round-robin over keys, each key numbered. */
  static final class Load implements AutoCloseable {
    final KafkaProducer<byte[], byte[]> producer = Kafkas.producer(gateway.bootstrapServers());
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    final int[] next = new int[KEYS];
    final AtomicInteger sent = new AtomicInteger();
    final AtomicLong acked = new AtomicLong();
    final AtomicLong failed = new AtomicLong();

    Load start() {
      timer.scheduleAtFixedRate(() -> {
        for (int i = 0; i < 4; i++) {
          int key = sent.getAndIncrement() % KEYS;
          int seq = next[key]++;
          ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(NS + ".forward",
              ("key-" + key).getBytes(StandardCharsets.UTF_8),
              ("key-" + key + ":" + seq).getBytes(StandardCharsets.UTF_8));
          r.headers().add(new RecordHeader("sluice.source", "notes".getBytes()));
          producer.send(r, (m, e) -> (e == null ? acked : failed).incrementAndGet());
        }
      }, 0, 10, TimeUnit.MILLISECONDS);
      return this;
    }

    /** Stops the load; returns how many records each key got. */
    int[] stop() throws InterruptedException {
      timer.shutdown();
      assertThat(timer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      producer.flush();
      return next.clone();
    }

    @Override
    public void close() {
      timer.shutdownNow();
      producer.close();
    }
  }

  /**
   * The cloud's topic takes records up to 2 kB: a 5 kB record can never go there. It goes to
   * the gateway's dead-letter topic with its reason, and the records behind it reach the cloud.
   */
  @Test
  void aRecordTheCloudRefusesForGoodGoesToTheDeadLettersAndTheRestMoveOn() throws Exception {
    String source = "it.poison.forward";
    String target = "it.poison.cloud-forward";
    String dlq = "it.poison.dlq";
    TopicAdmin.ensureTopics(gateway.bootstrapServers(), Map.of(source, 1, dlq, 1), Map.of());
    TopicAdmin.ensureTopics(cloud.bootstrapServers(), Map.of(target, 1),
        Map.of(target, Map.of("max.message.bytes", "2000")));
    try (KafkaProducer<byte[], byte[]> producer = Kafkas.producer(gateway.bootstrapServers())) {
      for (int i = 0; i < 20; i++) {
        producer.send(new ProducerRecord<>(source, "k".getBytes(StandardCharsets.UTF_8),
            ("record " + i).getBytes(StandardCharsets.UTF_8)));
        if (i == 9) {
          // random bytes: the link compresses, and the broker checks the compressed size
          byte[] big = new byte[5_000];
          new java.util.SplittableRandom(3).nextBytes(big);
          producer.send(new ProducerRecord<>(source, "k".getBytes(StandardCharsets.UTF_8), big));
        }
      }
    }
    MeterRegistry registry = new SimpleMeterRegistry();
    CloudLinkSettings settings = CloudLinkSettings.of("gw-poison",
        List.of(KafkaCluster.of("gateway", gateway.bootstrapServers()),
            KafkaCluster.of("cloud", cloud.bootstrapServers())),
        List.of(new LinkRoute("forward", "gateway", source, "cloud", target)))
        .withDeadLetters(new CloudLinkSettings.DeadLetterRoute("gateway", dlq));
    try (CloudLink link = new CloudLink(settings, registry, Clock.systemUTC())) {
      link.start();
      await().atMost(Duration.ofSeconds(60)).until(() ->
          Kafkas.count(cloud.bootstrapServers(), target) >= 20
              && Kafkas.count(gateway.bootstrapServers(), dlq) >= 1);
    }
    List<String> arrived = Kafkas.firstOccurrences(Kafkas.readAll(cloud.bootstrapServers(),
        target).stream().map(r -> Kafkas.text(r.value())).toList());
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      expected.add("record " + i);
    }
    assertThat(arrived).isEqualTo(expected);
    List<ConsumerRecord<byte[], byte[]>> dead = Kafkas.readAll(gateway.bootstrapServers(), dlq);
    assertThat(dead).isNotEmpty().allSatisfy(r -> {
      io.sluice.schemas.DeadLetter d = io.sluice.schemas.AvroSerdes.deadLetter().deserializer()
          .deserialize(dlq, r.value());
      assertThat(d.getErrorType()).isEqualTo(io.sluice.schemas.DeadLetterType.OVERSIZED);
      assertThat(d.getReason()).contains("cloud refused the record for good")
          .contains("record-too-large");
      assertThat(d.getSourceTopic()).isEqualTo(source);
      assertThat(d.getOffset()).isEqualTo(10);
      assertThat(d.getHeaders()).containsEntry("sluice.payload.size", "5000");
    });
    assertThat(registry.get("sluice.relay.permanent.errors").tag("relay", "cloud-link")
        .counter().count()).isEqualTo(dead.size());
  }

  @Test
  void everyForwardedRecordArrivesAfterAMinuteLongCutInOrderPerKey() throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    CloudLinkSettings settings = CloudLinkSettings.of("gw-1",
            List.of(KafkaCluster.of("gateway", gateway.bootstrapServers()),
                KafkaCluster.of("cloud", cloud.bootstrapServers())),
            LinkRoute.gatewayRoutes(NS + ".forward", NS + ".summaries",
                NS + ".feedback", "gateway", "cloud"))
        .withTiming(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(1));
    int cloudPort = Integer.parseInt(cloud.bootstrapServers().split(":")[1]);
    try (CloudLink link = new CloudLink(settings, registry, Clock.systemUTC());
        Load load = new Load();
        KafkaProducer<byte[], byte[]> cloudSide = Kafkas.producer(cloud.bootstrapServers())) {
      link.start();
      for (int i = 0; i < 20; i++) {
        cloudSide.send(new ProducerRecord<>(NS + ".feedback", ("event-" + i).getBytes(),
            ("label-" + i).getBytes()));
      }
      cloudSide.flush();
      cloudSide.close();
      load.start();
      await().atMost(Duration.ofSeconds(60))
          .until(() -> Kafkas.count(cloud.bootstrapServers(), NS + ".forward") >= 500);
      await().atMost(Duration.ofSeconds(30))
          .until(() -> Kafkas.count(gateway.bootstrapServers(), NS + ".feedback") >= 20);
      assertThat(link.state()).isEqualTo(CloudLink.State.UP);

      // Cut the cloud off: the cloud cluster stops; its data stays on disk.
      long cutAt = System.nanoTime();
      cloud.close();
      long ackedAtCut = load.acked.get();
      await().atMost(Duration.ofSeconds(30))
          .until(() -> link.route("forward").state() == CloudLink.State.DOWN);
      // The link stays DOWN, and the gateway keeps taking records, until 61 s after the cut.
      Duration rest = Duration.ofSeconds(61).minusNanos(System.nanoTime() - cutAt);
      await().during(rest).atMost(rest.plusSeconds(15)).pollInterval(Duration.ofSeconds(1))
          .until(() -> link.state() == CloudLink.State.DOWN);
      assertThat(Duration.ofNanos(System.nanoTime() - cutAt)).isGreaterThan(Duration.ofSeconds(60));
      long ackedDuringCut = load.acked.get() - ackedAtCut;
      assertThat(ackedDuringCut).as("the gateway kept taking records while the cloud was away")
          .isGreaterThan(60 * 100);
      assertThat(load.failed.get()).isZero();
      await().atMost(Duration.ofSeconds(20))
          .until(() -> link.route("forward").backlog() >= ackedDuringCut / 2);
      long backlogBeforeRecovery = link.route("forward").backlog();

      // Restore: same port, same data.
      cloud = EmbeddedKafka.start(dir.resolve("cloud"), cloudPort);
      await().atMost(Duration.ofSeconds(60)).until(() -> link.state() == CloudLink.State.UP);
      int[] perKey = load.stop();
      int total = java.util.Arrays.stream(perKey).sum();
      try (KafkaProducer<byte[], byte[]> later = Kafkas.producer(cloud.bootstrapServers())) {
        later.send(new ProducerRecord<>(NS + ".feedback", "event-after".getBytes(),
            "label-after".getBytes()));
      }

      await().atMost(Duration.ofSeconds(120)).until(() -> link.route("forward").moved() >= total
          && link.route("forward").unacknowledged() == 0);
      List<ConsumerRecord<byte[], byte[]>> arrived =
          Kafkas.readAll(cloud.bootstrapServers(), NS + ".forward");
      Map<String, List<String>> byKey = Kafkas.valuesByKey(arrived);
      Set<String> distinct = new HashSet<>();
      arrived.forEach(r -> distinct.add(Kafkas.text(r.value())));
      assertThat(distinct).as("every forwarded record, once the link is back").hasSize(total);
      for (int k = 0; k < KEYS; k++) {
        List<String> expected = new ArrayList<>();
        for (int s = 0; s < perKey[k]; s++) {
          expected.add("key-" + k + ":" + s);
        }
        assertThat(Kafkas.firstOccurrences(byKey.get("key-" + k))).as("order of key-%d", k)
            .isEqualTo(expected);
      }
      assertThat(arrived).allSatisfy(r -> assertThat(
          Kafkas.text(r.headers().lastHeader("sluice.source").value())).isEqualTo("notes"));
      await().atMost(Duration.ofSeconds(30)).until(() -> Kafkas.valuesByKey(
          Kafkas.readAll(gateway.bootstrapServers(), NS + ".feedback"))
          .containsKey("event-after"));
      await().atMost(Duration.ofSeconds(20)).until(() -> link.route("forward").backlog() == 0);

      double bytes = registry.get("sluice.link.bytes").tag("route", "forward").counter().count();
      assertThat(bytes).isPositive();
      assertThat(registry.get("sluice.link.up").tag("route", "forward").gauge().value())
          .isEqualTo(1.0);
      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put("forwarded", total);
      figures.put("arrived", arrived.size());
      figures.put("duplicates", arrived.size() - total);
      figures.put("acked_by_gateway_during_cut", ackedDuringCut);
      figures.put("backlog_before_recovery", backlogBeforeRecovery);
      figures.put("link_bytes_forward", (long) bytes);
      System.out.println("Cloud link cut of 61 s under load: " + figures);
    }
  }
}
