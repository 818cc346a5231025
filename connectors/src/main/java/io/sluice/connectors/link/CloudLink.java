package io.sluice.connectors.link;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.connectors.ConnectorMeters;
import io.sluice.connectors.KafkaCluster;
import io.sluice.connectors.internal.ClusterProbe;
import io.sluice.connectors.internal.DeadLetterSink;
import io.sluice.connectors.internal.KafkaErrors;
import io.sluice.connectors.internal.RelayLoop;
import io.sluice.schemas.DeadLetterType;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Store-and-forward between the gateway's Kafka and the cloud's: each {@link LinkRoute} moves
 * the records of a source topic to a target topic on another cluster (gateway
 * {@code <ns>.forward} up to the cloud, the cloud's {@code <ns>.feedback} down to the gateway).
 *
 * <p><b>At-least-once, in order per key.</b> Each route is a {@link RelayLoop}: a consumer on the
 * source ({@code read_committed}, so aborted Kafka Streams output never leaves) and an
 * idempotent producer on the target ({@code acks=all}); source offsets are committed only below
 * records the target acknowledged. Key, value, headers and timestamp are kept, so a key goes to
 * the same target partition and keeps its order. After a failure a route resends from its first
 * unacknowledged record: duplicates are possible (and counted by the cloud's de-duplication on
 * event ids), loss is not.
 *
 * <p><b>Outages.</b> The producer retries forever ({@code delivery.timeout.ms} at its maximum, as
 * Kafka Connect does for source connectors), and a route sends nothing while its target cluster
 * does not answer the {@link ClusterProbe}: records wait in the source topic, bounded only by
 * its retention, and the gateway keeps working. Each route and cluster logs one line when it goes
 * DOWN and one when it is UP again.
 *
 * <p><b>Batching.</b> zstd compression and a linger by default: the link is usually the most
 * expensive wire a gateway has.
 */
public final class CloudLink implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CloudLink.class);

  /** UP while records can move; DOWN while an end is unreachable or sends fail or stall. */
  public enum State { UP, DOWN }

  /**
   * A route's state now.
   *
   * @param moved records the target acknowledged since start
   * @param backlog records in the source not yet acknowledged by the target (estimated every
   *     few seconds)
   * @param unacknowledged records read from the source and not yet acknowledged
   */
  public record RouteStatus(LinkRoute route, State state, long moved, long backlog,
      long unacknowledged) {}

  private final CloudLinkSettings settings;
  private final ClusterProbe probe;
  private final List<Route> routes = new ArrayList<>();
  /** Where records a target refuses for good go; null: they are passed over and logged. */
  private final DeadLetterSink deadLetters;
  private volatile boolean started;
  private volatile boolean closed;

  public CloudLink(CloudLinkSettings settings, MeterRegistry registry, Clock clock) {
    this.settings = settings;
    this.deadLetters = settings.deadLetters().map(d -> new DeadLetterSink(
        settings.cluster(d.cluster()), d.topic(), "cloud-link", 16 * 1024, registry, clock))
        .orElse(null);
    this.probe = new ClusterProbe(settings.clusters(), settings.probeInterval(),
        settings.backoffMax(), clock);
    for (KafkaCluster cluster : settings.clusters()) {
      ConnectorMeters.LINK_CLUSTER_REACHABLE.gauge(registry, probe,
          p -> p.reachable(cluster.name()) ? 1 : 0, "cluster", cluster.name());
    }
    for (LinkRoute route : settings.routes()) {
      routes.add(new Route(route, registry, clock));
    }
  }

  /** Starts every route, each on its own thread. */
  public synchronized void start() {
    if (started || closed) {
      return;
    }
    started = true;
    probe.start();
    routes.forEach(r -> r.thread.start());
    log.info("Cloud link started: {}", settings.routes());
  }

  /** UP when every route is UP. */
  public State state() {
    return routes.stream().allMatch(r -> r.loop.health() == RelayLoop.Health.UP)
        ? State.UP : State.DOWN;
  }

  public List<RouteStatus> routes() {
    return routes.stream().map(Route::status).toList();
  }

  public RouteStatus route(String name) {
    return routes.stream().filter(r -> r.route.name().equals(name)).findFirst()
        .map(Route::status)
        .orElseThrow(() -> new IllegalArgumentException("No link route named '" + name + "'"));
  }

  public CloudLinkSettings settings() {
    return settings;
  }

  /**
   * Stops every route (each commits what its target acknowledged), then closes the clients.
   * Records not yet acknowledged are sent again after a restart. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    routes.forEach(r -> r.loop.stop());
    for (Route r : routes) {
      if (r.thread.isAlive()) {
        try {
          r.thread.join(15_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      r.target.close();
    }
    probe.close();
    if (deadLetters != null) {
      deadLetters.close();
    }
    log.info("Cloud link stopped: {}", routes().stream()
        .map(s -> s.route().name() + " moved " + s.moved()).toList());
  }

  /** One route: its loop, thread, target and meters. */
  private final class Route {
    private final LinkRoute route;
    private final KafkaTarget target;
    private final RelayLoop loop;
    private final Thread thread;

    Route(LinkRoute route, MeterRegistry registry, Clock clock) {
      this.route = route;
      String name = route.name();
      Counter records = ConnectorMeters.LINK_RECORDS.counter(registry, "route", name);
      Counter bytes = ConnectorMeters.LINK_BYTES.counter(registry, "route", name);
      Counter skipped = ConnectorMeters.LINK_SKIPPED.counter(registry, "route", name);
      Counter failures = ConnectorMeters.LINK_FAILURES.counter(registry, "route", name);
      Counter rewinds = ConnectorMeters.LINK_REWINDS.counter(registry, "route", name);
      Counter expired = ConnectorMeters.LINK_EXPIRED.counter(registry, "route", name);
      this.target = new KafkaTarget(route, settings.cluster(route.targetCluster()));
      Map<String, Object> consumerConfig = new HashMap<>(Map.of(
          ConsumerConfig.GROUP_ID_CONFIG, settings.groupId() + "." + name,
          ConsumerConfig.CLIENT_ID_CONFIG, "sluice-link-" + name,
          ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
          ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
          ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
          ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(settings.maxInFlight(), 2_000),
          ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, settings.backoffMax().toMillis()));
      if (settings.instanceId() != null) {
        consumerConfig.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, settings.instanceId());
      }
      KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
          settings.cluster(route.sourceCluster()).properties(consumerConfig),
          new ByteArrayDeserializer(), new ByteArrayDeserializer());
      RelayLoop.Settings loopSettings = new RelayLoop.Settings("Cloud link route " + route,
          route.sourceTopic(), settings.maxInFlight(), settings.commitInterval(),
          settings.stallTimeout(), Duration.ofSeconds(5), settings.backoffMin(),
          settings.backoffMax());
      RelayLoop.Meters meters = new RelayLoop.Meters() {
        @Override
        public void delivered(ConsumerRecord<byte[], byte[]> record) {
          records.increment();
          bytes.increment(Math.max(0, record.serializedKeySize())
              + Math.max(0, record.serializedValueSize()));
        }

        @Override
        public void skipped(ConsumerRecord<byte[], byte[]> record, String reason) {
          skipped.increment();
          log.error("Cloud link route {}: {} refused record {}-{}@{} for good ({}); passed over",
              name, route.targetCluster(), record.topic(), record.partition(), record.offset(),
              reason);
        }

        @Override
        public void failed(Exception error) {
          failures.increment();
        }

        @Override
        public void rewound() {
          rewinds.increment();
        }

        @Override
        public void expired(long count) {
          expired.increment(count);
        }
      };
      this.loop = new RelayLoop(loopSettings, consumer, target, meters, this::healthChanged,
          () -> probe.reachable(route.sourceCluster()), clock);
      ConnectorMeters.LINK_UP.gauge(registry, loop,
          l -> l.health() == RelayLoop.Health.UP ? 1 : 0, "route", name);
      ConnectorMeters.LINK_BACKLOG.gauge(registry, loop, RelayLoop::backlog, "route", name);
      this.thread = new Thread(loop, "sluice-link-" + name);
      this.thread.setDaemon(true);
    }

    private void healthChanged(RelayLoop.Health health, String reason, Duration lasted) {
      if (health == RelayLoop.Health.DOWN) {
        log.warn("Cloud link route {} DOWN: {} (after {} s up); records wait in {}", route,
            reason, lasted.toSeconds(), route.sourceTopic());
      } else {
        log.info("Cloud link route {} UP after {} s down; backlog about {} records", route,
            lasted.toSeconds(), loop.backlog());
      }
    }

    RouteStatus status() {
      return new RouteStatus(route, loop.health() == RelayLoop.Health.UP ? State.UP : State.DOWN,
          loop.delivered(), loop.backlog(), loop.unfinished());
    }
  }

  /** Writes to the route's target topic with an idempotent producer that retries forever. */
  private final class KafkaTarget implements RelayLoop.Target {
    private final LinkRoute route;
    private final KafkaCluster cluster;
    private volatile KafkaProducer<byte[], byte[]> producer;

    KafkaTarget(LinkRoute route, KafkaCluster cluster) {
      this.route = route;
      this.cluster = cluster;
      this.producer = newProducer();
    }

    private KafkaProducer<byte[], byte[]> newProducer() {
      return new KafkaProducer<>(cluster.properties(Map.ofEntries(
          Map.entry(ProducerConfig.CLIENT_ID_CONFIG, "sluice-link-" + route.name()),
          Map.entry(ProducerConfig.ACKS_CONFIG, "all"),
          Map.entry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
          Map.entry(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5),
          Map.entry(ProducerConfig.COMPRESSION_TYPE_CONFIG, settings.compression()),
          Map.entry(ProducerConfig.LINGER_MS_CONFIG, (int) settings.linger().toMillis()),
          Map.entry(ProducerConfig.BATCH_SIZE_CONFIG, settings.batchBytes()),
          Map.entry(ProducerConfig.BUFFER_MEMORY_CONFIG, settings.bufferBytes()),
          Map.entry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE),
          Map.entry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000),
          Map.entry(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000),
          Map.entry(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, settings.backoffMin().toMillis()),
          Map.entry(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG,
              settings.backoffMax().toMillis()),
          Map.entry(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG,
              settings.backoffMax().toMillis()))),
          new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public boolean ready() {
      return probe.reachable(route.targetCluster()) && !closed;
    }

    @Override
    public int capacity() {
      return settings.maxInFlight();
    }

    @Override
    public long epoch() {
      return 0;
    }

    @Override
    public void send(ConsumerRecord<byte[], byte[]> r, RelayLoop.Completion done) {
      ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(route.targetTopic(), null,
          r.timestamp() >= 0 ? r.timestamp() : null, r.key(), r.value(), r.headers());
      producer.send(out, (meta, error) -> {
        if (error == null) {
          done.delivered();
          return;
        }
        Optional<String> permanent = KafkaErrors.permanent(error);
        if (permanent.isEmpty()) {
          done.failed(error);
          return;
        }
        String why = route.targetCluster() + " refused the record for good (" + permanent.get()
            + ": " + error.getMessage() + ")";
        if (deadLetters == null) {
          done.skipped(why);
        } else {
          deadLetters.write(r, permanent.get().equals("record-too-large")
              ? DeadLetterType.OVERSIZED : DeadLetterType.PROCESSING_ERROR, permanent.get(),
              why, () -> done.skipped(why), done::failed);
        }
      });
    }

    /** A failed producer may be stuck; a fresh one starts clean (its old sends are void). */
    @Override
    public void reset(Exception cause) {
      KafkaProducer<byte[], byte[]> old = producer;
      producer = newProducer();
      old.close(Duration.ZERO);
    }

    void close() {
      producer.close(Duration.ofSeconds(5));
    }
  }
}
