package io.sluice.connectors.mqtt;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.connectors.ConnectorMeters;
import io.sluice.connectors.KafkaCluster;
import io.sluice.connectors.internal.DeadLetterSink;
import io.sluice.connectors.internal.RelayLoop;
import io.sluice.schemas.DeadLetterType;
import io.sluice.schemas.RecordHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the records of a Kafka topic (the router's {@code <ns>.alerts}) over MQTT at QoS 1,
 * each to the topic named in its {@code sluice.mqtt.target} header.
 *
 * <p>At-least-once: the Kafka offset of a record is committed only after the broker acknowledged
 * it and every record before it in its partition ({@link RelayLoop}). When the connection drops
 * (a broker restart, say), everything published and not acknowledged is published again on the
 * next connection, in partition order; Paho's offline buffer is never used, the alerts topic is
 * the buffer. The consumer reads committed records only ({@code read_committed}), so alerts of
 * an aborted Kafka Streams transaction are never published.
 *
 * <p>A record with no target header (and no default target) is skipped and counted. One the
 * broker refuses for good (PUBACK or disconnect reason not authorized 0x87, topic name invalid
 * 0x90, packet too large 0x95, payload format invalid 0x99) goes to the dead-letter topic when
 * one is set ({@link DeadLetterSink}: the record is passed over only once Kafka has its dead
 * letter) and is skipped and counted otherwise. Any other failure (quota exceeded 0x97, a lost
 * connection) is retried.
 */
public final class MqttEgress implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(MqttEgress.class);
  /** PUBACK reason codes that will not change on a retry. */
  private static final Set<Integer> PERMANENT = Set.of(0x87, 0x90, 0x95, 0x99);

  /** Connection state, as reported to health checks. */
  public enum State { CREATED, CONNECTING, CONNECTED, DISCONNECTED, CLOSED }

  private final MqttEgressSettings settings;
  private final ManagedConnection connection;
  private final RelayLoop loop;
  private final Thread thread;
  private final AtomicLong epoch = new AtomicLong();
  private final MeterRegistry registry;
  private final Counter published;
  private final Map<String, AtomicLong> skippedByReason = new ConcurrentHashMap<>();
  private final DeadLetterSink deadLetters;

  /**
   * @param kafka the cluster holding {@code settings.kafkaTopic()}
   * @param clock times stalls and backoffs
   */
  public MqttEgress(MqttEgressSettings settings, KafkaCluster kafka, MeterRegistry registry,
      Clock clock) {
    this.settings = settings;
    this.registry = registry;
    this.deadLetters = settings.deadLetterTopic().map(t -> new DeadLetterSink(kafka, t,
        "mqtt-egress", 16 * 1024, registry, clock)).orElse(null);
    String client = settings.mqtt().clientId();
    this.published = ConnectorMeters.MQTT_EGRESS_PUBLISHED.counter(registry, "client", client);
    Counter failures = ConnectorMeters.MQTT_EGRESS_FAILURES.counter(registry, "client", client);
    MqttConnections connections = new MqttConnections(settings.mqtt());
    this.connection = new ManagedConnection(connections, () -> {
      MqttConnectionOptions options = connections.options();
      options.setCleanStart(true); // the egress keeps no session: Kafka offsets are its state
      return options;
    }, settings.reconnectMin(), settings.reconnectMax(), "egress", new Hooks(),
        ConnectorMeters.MQTT_RECONNECTS.counter(registry, "client", client));
    // Static membership under the MQTT client id (stable per gateway instance): a restarted
    // gateway takes its partitions back at once instead of waiting out the dead process's
    // session; a graceful close leaves the group (RelayLoop) so another instance takes over.
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.properties(Map.of(
        ConsumerConfig.GROUP_ID_CONFIG, settings.groupId(),
        ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, client,
        ConsumerConfig.CLIENT_ID_CONFIG, "sluice-egress-" + client,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxInFlight())),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
    RelayLoop.Settings loopSettings = new RelayLoop.Settings("MQTT egress " + client,
        settings.kafkaTopic(), settings.maxInFlight() * 2, Duration.ofSeconds(1),
        Duration.ofSeconds(30), Duration.ofSeconds(5), settings.reconnectMin(),
        settings.reconnectMax());
    this.loop = new RelayLoop(loopSettings, consumer, new Target(), new RelayLoop.Meters() {
      @Override
      public void delivered(ConsumerRecord<byte[], byte[]> record) {
        published.increment();
      }

      @Override
      public void skipped(ConsumerRecord<byte[], byte[]> record, String reason) {
        countSkip(reason);
      }

      @Override
      public void failed(Exception error) {
        failures.increment();
      }

      @Override
      public void rewound() {}

      @Override
      public void expired(long records) {}
    }, (health, reason, lasted) -> {
      if (health == RelayLoop.Health.DOWN) {
        log.warn("MQTT egress {}: not publishing: {}", client, reason);
      } else {
        log.info("MQTT egress {}: publishing again after {} s", client, lasted.toSeconds());
      }
    }, () -> true, clock);
    ConnectorMeters.MQTT_EGRESS_IN_FLIGHT.gauge(registry, loop, RelayLoop::unfinished,
        "client", client);
    ConnectorMeters.MQTT_EGRESS_BACKLOG.gauge(registry, loop, RelayLoop::backlog,
        "client", client);
    ConnectorMeters.MQTT_CONNECTED.gauge(registry, connection,
        c -> c.phase() == ManagedConnection.Phase.CONNECTED ? 1 : 0, "client", client);
    this.thread = new Thread(loop, "sluice-mqtt-egress-" + client);
    this.thread.setDaemon(true);
  }

  /** Connects and starts publishing, in the background. */
  public synchronized void start() {
    if (connection.phase() != ManagedConnection.Phase.CREATED) {
      return;
    }
    connection.start();
    thread.start();
  }

  public State state() {
    return State.valueOf(connection.phase().name());
  }

  public MqttEgressSettings settings() {
    return settings;
  }

  /** Records the broker acknowledged since start. */
  public long published() {
    return loop.delivered();
  }

  /** Records in the alerts topic not yet acknowledged by the broker (estimated every 5 s). */
  public long backlog() {
    return loop.backlog();
  }

  /**
   * Stops reading, commits what the broker acknowledged, and disconnects; unacknowledged records
   * are published again after a restart. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (connection.phase() == ManagedConnection.Phase.CLOSED) {
      return;
    }
    loop.stop();
    if (thread.isAlive()) {
      try {
        thread.join(15_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    connection.close();
    if (deadLetters != null) {
      deadLetters.close();
    }
    log.info("MQTT egress {} closed ({} published)", settings.mqtt().clientId(), published());
  }

  private void countSkip(String reason) {
    AtomicLong n = skippedByReason.computeIfAbsent(reason, r -> new AtomicLong());
    ConnectorMeters.MQTT_EGRESS_SKIPPED.counter(registry, "client", settings.mqtt().clientId(),
        "reason", reason).increment();
    long count = n.incrementAndGet();
    if (count == 1 || count % 100 == 0) {
      log.warn("MQTT egress {}: skipped a record from {} ({}; {} so far)",
          settings.mqtt().clientId(), settings.kafkaTopic(), reason, count);
    }
  }

  /** The MQTT topic a record goes to, or empty with the reason in {@code why[0]}. */
  private Optional<String> target(ConsumerRecord<byte[], byte[]> record, String[] why) {
    Header header = record.headers().lastHeader(RecordHeaders.MQTT_TARGET);
    if (header == null || header.value() == null || header.value().length == 0) {
      why[0] = "no-target";
      return settings.defaultTarget();
    }
    try {
      String topic = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(header.value())).toString();
      if (topic.contains("+") || topic.contains("#") || topic.indexOf('\0') >= 0) {
        why[0] = "invalid-target";
        return Optional.empty();
      }
      return Optional.of(topic);
    } catch (CharacterCodingException e) {
      why[0] = "invalid-target";
      return Optional.empty();
    }
  }

  /** Publishes to the current connection. */
  private final class Target implements RelayLoop.Target {
    @Override
    public boolean ready() {
      return connection.connected() != null;
    }

    @Override
    public int capacity() {
      ManagedConnection.Connection c = connection.connected();
      return c == null ? 0 : Math.min(settings.maxInFlight(), c.serverReceiveMaximum());
    }

    @Override
    public long epoch() {
      return epoch.get();
    }

    @Override
    public void send(ConsumerRecord<byte[], byte[]> record, RelayLoop.Completion done) {
      String[] why = new String[1];
      Optional<String> topic = target(record, why);
      if (topic.isEmpty()) {
        done.skipped(why[0]);
        return;
      }
      ManagedConnection.Connection c = connection.connected();
      if (c == null) {
        done.failed(new IllegalStateException("not connected"));
        return;
      }
      MqttMessage message = new MqttMessage(record.value() == null ? new byte[0] : record.value());
      message.setQos(1);
      try {
        c.client().publish(topic.get(), message, null, new MqttActionListener() {
          @Override
          public void onSuccess(IMqttToken token) {
            int[] codes = token.getReasonCodes();
            int code = codes != null && codes.length > 0 ? codes[0] : 0;
            if (code < 0x80) {
              done.delivered();
            } else if (PERMANENT.contains(code)) {
              refused(record, code, done);
            } else {
              done.failed(new MqttException(code));
            }
          }

          @Override
          public void onFailure(IMqttToken token, Throwable error) {
            outcome(record, error, done);
          }
        });
      } catch (MqttException e) {
        outcome(record, e, done);
      }
    }

    private void outcome(ConsumerRecord<byte[], byte[]> record, Throwable error,
        RelayLoop.Completion done) {
      if (error instanceof MqttException m && PERMANENT.contains(m.getReasonCode())) {
        refused(record, m.getReasonCode(), done);
      } else {
        done.failed(error instanceof Exception e ? e : new RuntimeException(error));
      }
    }

    /** A record the broker refuses for good: its dead letter first, then it is passed over. */
    private void refused(ConsumerRecord<byte[], byte[]> record, int code,
        RelayLoop.Completion done) {
      String reason = "refused-0x" + Integer.toHexString(code);
      if (deadLetters == null) {
        done.skipped(reason);
        return;
      }
      String target = target(record, new String[1]).orElse("?");
      deadLetters.write(record, DeadLetterType.PROCESSING_ERROR, reason, "the MQTT broker"
          + " refused the publish to " + target + " for good (reason code 0x"
          + Integer.toHexString(code) + ")", () -> done.skipped(reason), done::failed);
    }

    /** A connection that takes publishes and acknowledges none is dropped and made again. */
    @Override
    public void reset(Exception cause) {
      ManagedConnection.Connection c = connection.connected();
      if (c != null && cause instanceof RelayLoop.Stalled) {
        connection.drop(c, cause.getMessage());
      }
    }
  }

  /** A lost connection voids what was in flight on it: the loop publishes that again. */
  private final class Hooks implements ManagedConnection.Hooks {
    @Override
    public void connected(ManagedConnection.Connection c, boolean sessionPresent) {
      // lost() already voided the previous connection's publishes
    }

    @Override
    public void messageArrived(ManagedConnection.Connection c, String topic,
        MqttMessage message) {}

    @Override
    public void lost(ManagedConnection.Connection c) {
      epoch.incrementAndGet();
    }
  }
}
