package io.sluice.connectors.mqtt;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.connectors.ConnectorMeters;
import io.sluice.connectors.internal.AckAfterKafka;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.DeadLetter;
import io.sluice.schemas.DeadLetterType;
import io.sluice.schemas.DeadLetters;
import io.sluice.schemas.LogLimiter;
import io.sluice.schemas.RecordHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves MQTT messages into Kafka without losing any.
 *
 * <p><b>Acknowledge after Kafka.</b> Paho runs with manual acknowledgements: a QoS 1 message is
 * acknowledged to the broker only once Kafka has confirmed the record, and acknowledgements leave
 * in arrival order ({@link AckAfterKafka}). A crash between the two makes the broker deliver the
 * message again instead of losing it (at-least-once; event ids make duplicates harmless).
 *
 * <p><b>Backpressure.</b> The broker sends at most {@code receiveMaximum} unacknowledged messages
 * (MQTT 5 flow control); when Kafka is slow, acknowledgements stop and so does the flow, with the
 * backlog waiting at the broker. Paho's threads never wait on Kafka: a sender thread does. Nothing
 * is buffered in Paho: Kafka is the buffer. If Kafka refuses a record, the ingress drops the MQTT
 * connection without acknowledging, so the broker keeps the message and resends it when we are
 * back.
 *
 * <p><b>Poison messages.</b> With {@link MqttIngressSettings#deadLetters()}, a payload over the
 * size limit is not offered to Kafka at all, and a record Kafka refuses for good (too large, an
 * invalid topic, not authorized) is not retried: either way its dead letter (its first bytes, its
 * size, the MQTT topic, the reason) goes to the dead-letter topic in its place, and the message is
 * acknowledged once Kafka has the dead letter, so nothing waits behind it. Counted in
 * {@code sluice.relay.permanent.errors} and logged, rate-limited, with source, topic and size.
 *
 * <p><b>Reconnects</b> are owned here ({@link ManagedConnection}), not by Paho: clean start off and
 * a session expiry, so the broker keeps our subscriptions and unacknowledged messages while we
 * are away; exponential backoff between attempts. MQTT 3.1.1 publishers work unchanged: the
 * broker translates. Shared subscriptions ({@code $share/<group>/<filter>}) split a topic between
 * gateway instances, each with its own client id.
 *
 * <p><b>Sparkplug host.</b> With {@link MqttIngressSettings#sparkplugHost()} the connection is a
 * Sparkplug B 3.0 host application's: clean start and session expiry 0, as the specification
 * requires (a Sparkplug session is rebuilt from births, not kept by the broker). With a host id
 * the CONNECT carries the retained will {@code {"online":false,"timestamp":T}} on
 * {@code spBv1.0/STATE/<id>}; right after subscribing (to the source filters and that topic) the
 * ingress publishes the retained birth {@code {"online":true,"timestamp":T}} with the same T,
 * republishes it whenever the broker shows it an offline STATE of its own id, and publishes the
 * offline STATE before a clean disconnect. STATE messages are not sent to Kafka.
 *
 * <p><b>Order.</b> One connection, so each topic's messages arrive in order; the Kafka key is the
 * device id, so each device's records keep their MQTT order in one partition.
 */
public final class MqttIngress implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(MqttIngress.class);

  /** Connection state, as reported to health checks. */
  public enum State { CREATED, CONNECTING, CONNECTED, DISCONNECTED, CLOSED }

  private final MqttIngressSettings settings;
  private final Clock clock;
  private final AckAfterKafka forwarder;
  private final ManagedConnection connection;
  private volatile ManagedConnection.Connection lastKafkaFailure;
  /** The timestamp of the STATE will of the current connection (and of its birth). */
  private volatile long stateTimestamp;
  private volatile boolean closing;
  private final Counter received;
  private final Counter receivedBytes;
  private final Counter kafkaFailures;
  private final MeterRegistry registry;
  private final LogLimiter poisonLog;

  /**
   * @param producer where records go; configure it with {@code acks=all} and idempotence. The
   *     ingress does not close it: flush and close it after {@link #close()}
   * @param clock stamps {@code sluice.received-at}
   */
  public MqttIngress(MqttIngressSettings settings, Producer<byte[], byte[]> producer,
      MeterRegistry registry, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.registry = registry;
    this.poisonLog = new LogLimiter(clock, 60_000, 10);
    String client = settings.clientId();
    this.received = ConnectorMeters.MQTT_RECEIVED.counter(registry, "client", client);
    this.receivedBytes = ConnectorMeters.MQTT_RECEIVED_BYTES.counter(registry, "client", client);
    this.kafkaFailures = ConnectorMeters.MQTT_KAFKA_FAILURES.counter(registry, "client", client);
    Counter acknowledged = ConnectorMeters.MQTT_ACKNOWLEDGED.counter(registry, "client", client);
    Counter reconnects = ConnectorMeters.MQTT_RECONNECTS.counter(registry, "client", client);
    MqttConnections connections = new MqttConnections(settings.endpoint());
    this.forwarder = new AckAfterKafka(producer, settings.receiveMaximum() + 10_000,
        "sluice-mqtt-ingress-kafka-" + client, acknowledged::increment, error -> {
          kafkaFailures.increment();
          log.error("MQTT ingress {}: Kafka refused a QoS 0 message, which is lost: {}", client,
              error.getMessage());
        }, settings.deadLetters() == null ? null : this::refusedForGood);
    this.connection = new ManagedConnection(connections, () -> options(connections),
        settings.reconnectMin(), settings.reconnectMax(), "ingress", new Hooks(), reconnects);
    ConnectorMeters.MQTT_IN_FLIGHT.gauge(registry, forwarder, AckAfterKafka::pending,
        "client", client);
    ConnectorMeters.MQTT_CONNECTED.gauge(registry, connection,
        c -> c.phase() == ManagedConnection.Phase.CONNECTED ? 1 : 0, "client", client);
  }

  /** Connects (in the background, retrying until it succeeds or the ingress is closed). */
  public void start() {
    connection.start();
  }

  public State state() {
    return State.valueOf(connection.phase().name());
  }

  public MqttIngressSettings settings() {
    return settings;
  }

  /** Messages received but not yet acknowledged (waiting for Kafka). */
  public int inFlight() {
    return forwarder.pending();
  }

  /**
   * Disconnects without acknowledging what is still in flight: the broker keeps those messages
   * for our session. The producer is the caller's to flush and close. Idempotent.
   */
  @Override
  public void close() {
    if (connection.phase() == ManagedConnection.Phase.CLOSED) {
      return;
    }
    closing = true;
    publishOfflineState();
    connection.close();
    forwarder.close();
    log.info("MQTT ingress {} closed", settings.clientId());
  }

  private MqttConnectionOptions options(MqttConnections connections) {
    MqttConnectionOptions options = connections.options();
    options.setReceiveMaximum(settings.receiveMaximum());
    MqttIngressSettings.SparkplugHost host = settings.sparkplugHost();
    if (host == null) {
      options.setCleanStart(false);
      options.setSessionExpiryInterval(settings.sessionExpiry().toSeconds());
      return options;
    }
    options.setCleanStart(true);
    options.setSessionExpiryInterval(0L);
    if (host.stateTopic() != null) {
      stateTimestamp = clock.millis();
      options.setWill(host.stateTopic(), stateMessage(false, stateTimestamp));
    }
    return options;
  }

  private static MqttMessage stateMessage(boolean online, long timestamp) {
    MqttMessage m = new MqttMessage(("{\"online\":" + online + ",\"timestamp\":" + timestamp
        + "}").getBytes(StandardCharsets.UTF_8));
    m.setQos(1);
    m.setRetained(true);
    return m;
  }

  private void publishState(ManagedConnection.Connection c) throws MqttException {
    String topic = settings.sparkplugHost().stateTopic();
    c.client().publish(topic, stateMessage(true, stateTimestamp)).waitForCompletion(10_000);
    log.info("Sparkplug host {} online: STATE published on {}", settings.clientId(), topic);
  }

  /** Sparkplug 3.0: before a clean disconnect, the host publishes its offline STATE itself. */
  private void publishOfflineState() {
    MqttIngressSettings.SparkplugHost host = settings.sparkplugHost();
    ManagedConnection.Connection c = connection.connected();
    if (host == null || host.stateTopic() == null || c == null) {
      return;
    }
    try {
      c.client().publish(host.stateTopic(), stateMessage(false, clock.millis()))
          .waitForCompletion(5_000);
      log.info("Sparkplug host {} offline: STATE published on {}", settings.clientId(),
          host.stateTopic());
    } catch (MqttException e) {
      log.warn("Sparkplug host {}: could not publish the offline STATE ({}); the broker sends"
          + " the will instead", settings.clientId(), MqttErrors.describe(e));
    }
  }

  private MqttSubscription route(String topic) {
    List<MqttSubscription> subs = settings.subscriptions();
    if (subs.size() == 1) {
      return subs.get(0);
    }
    for (MqttSubscription sub : subs) {
      if (TopicFilters.matches(sub.topicFilter(), topic)) {
        return sub;
      }
    }
    return subs.get(0);
  }

  private ProducerRecord<byte[], byte[]> record(String topic, byte[] payload) {
    MqttSubscription sub = route(topic);
    String deviceId = sub.deviceId(topic);
    byte[] key = deviceId.getBytes(StandardCharsets.UTF_8);
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(sub.kafkaTopic(), null, key, payload);
    RecordHeaders.stampIngested(record.headers(), topic, clock.millis(), sub.source(), deviceId);
    return record;
  }

  /** A record Kafka refused for good: its dead letter goes in its place. */
  private ProducerRecord<byte[], byte[]> refusedForGood(ProducerRecord<byte[], byte[]> refused,
      String reason, Exception error) {
    return deadLetter(refused, reason.equals("record-too-large") ? DeadLetterType.OVERSIZED
        : DeadLetterType.PROCESSING_ERROR, reason, "Kafka refused the record for good ("
        + reason + ": " + error.getMessage() + ")");
  }

  /**
   * The dead letter of a poison message: its first bytes (at most the route's keptBytes), its
   * size, the MQTT topic and the reason, keyed like the message.
   */
  private ProducerRecord<byte[], byte[]> deadLetter(ProducerRecord<byte[], byte[]> message,
      DeadLetterType type, String reason, String why) {
    MqttIngressSettings.DeadLetterRoute route = settings.deadLetters();
    byte[] payload = message.value() == null ? new byte[0] : message.value();
    byte[] kept = payload.length <= route.keptBytes() ? payload
        : Arrays.copyOf(payload, route.keptBytes());
    var headers = new org.apache.kafka.common.header.internals.RecordHeaders(
        message.headers().toArray());
    headers.add(RecordHeaders.PAYLOAD_SIZE, Integer.toString(payload.length).getBytes(StandardCharsets.UTF_8));
    if (kept.length < payload.length) {
      headers.add(RecordHeaders.PAYLOAD_TRUNCATED, "true".getBytes(StandardCharsets.UTF_8));
    }
    String mqttTopic = header(message, RecordHeaders.MQTT_TOPIC);
    String source = header(message, RecordHeaders.SOURCE);
    DeadLetter dead = DeadLetters.of(message.key(), kept, headers, "mqtt:" + mqttTopic, -1, -1,
        type, why, Instant.ofEpochMilli(clock.millis()));
    ConnectorMeters.RELAY_PERMANENT_ERRORS.counter(registry, "relay", "mqtt-ingress", "reason",
        reason).increment();
    long suppressed = poisonLog.admit(reason);
    if (suppressed >= 0) {
      log.warn("MQTT ingress {}: poison message from source {} on {} ({} bytes) goes to {}: {}{}",
          settings.clientId(), source, mqttTopic, payload.length, route.topic(), why,
          suppressed > 0 ? " (" + suppressed + " more like it not logged)" : "");
    }
    return new ProducerRecord<>(route.topic(), null, message.key(),
        AvroSerdes.deadLetter().serializer().serialize(route.topic(), dead));
  }

  private static String header(ProducerRecord<byte[], byte[]> record, String name) {
    var h = record.headers().lastHeader(name);
    return h == null || h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** Subscribes on connect, forwards messages, forgets the line when a connection dies. */
  private final class Hooks implements ManagedConnection.Hooks {

    @Override
    public void connected(ManagedConnection.Connection c, boolean sessionPresent)
        throws MqttException {
      List<MqttSubscription> subs = settings.subscriptions();
      String stateTopic = settings.sparkplugHost() == null ? null
          : settings.sparkplugHost().stateTopic();
      org.eclipse.paho.mqttv5.common.MqttSubscription[] filters =
          new org.eclipse.paho.mqttv5.common.MqttSubscription[subs.size()
              + (stateTopic == null ? 0 : 1)];
      for (int i = 0; i < subs.size(); i++) {
        filters[i] = new org.eclipse.paho.mqttv5.common.MqttSubscription(
            subs.get(i).topicFilter(), subs.get(i).qos());
      }
      if (stateTopic != null) {
        filters[subs.size()] = new org.eclipse.paho.mqttv5.common.MqttSubscription(stateTopic, 1);
      }
      IMqttToken token = c.client().subscribe(filters);
      token.waitForCompletion(30_000);
      int[] granted = token.getGrantedQos();
      for (int i = 0; i < granted.length && i < subs.size(); i++) {
        if (granted[i] >= 0x80) {
          throw new MqttException(granted[i], new IllegalStateException("the broker refused"
              + " subscription '" + subs.get(i).topicFilter() + "' with reason code 0x"
              + Integer.toHexString(granted[i])));
        }
        if (granted[i] < subs.get(i).qos()) {
          log.warn("MQTT broker granted QoS {} instead of {} for {}", granted[i],
              subs.get(i).qos(), subs.get(i).topicFilter());
        }
      }
      if (stateTopic != null) {
        publishState(c);
      }
    }

    @Override
    public void messageArrived(ManagedConnection.Connection c, String topic,
        MqttMessage message) throws InterruptedException, MqttException {
      byte[] payload = message.getPayload();
      if (settings.sparkplugHost() != null && topic.equals(settings.sparkplugHost().stateTopic())) {
        // our own STATE: the broker or another client says we are offline while we are not
        c.client().messageArrivedComplete(message.getId(), message.getQos());
        if (new String(payload, StandardCharsets.UTF_8).replace(" ", "")
            .contains("\"online\":false") && !closing) {
          // not waited for: this is Paho's callback thread, which also completes the publish
          c.client().publish(settings.sparkplugHost().stateTopic(),
              stateMessage(true, stateTimestamp));
          log.info("Sparkplug host {}: saw an offline STATE of its own id; online again",
              settings.clientId());
        }
        return;
      }
      received.increment();
      receivedBytes.increment(payload.length);
      MqttIngressSettings.DeadLetterRoute route = settings.deadLetters();
      ProducerRecord<byte[], byte[]> record = record(topic, payload);
      if (route != null && payload.length > route.maxPayloadBytes()) {
        record = deadLetter(record, DeadLetterType.OVERSIZED, "oversized", "payload of "
            + payload.length + " bytes is over limits.maxPayloadBytes (" + route.maxPayloadBytes()
            + ")");
      }
      forwarder.submit(record, message.getId(), message.getQos(), new Channel(c));
    }

    @Override
    public void lost(ManagedConnection.Connection c) {
      forwarder.forget();
    }
  }

  /** Acknowledgements and Kafka failures of one connection's messages (equal per connection). */
  private final class Channel implements AckAfterKafka.Channel {
    private final ManagedConnection.Connection c;

    Channel(ManagedConnection.Connection c) {
      this.c = c;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Channel ch && ch.c == c;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(c);
    }

    @Override
    public boolean live() {
      return c.live();
    }

    @Override
    public void acknowledge(int messageId, int qos) {
      try {
        c.client().messageArrivedComplete(messageId, qos);
      } catch (MqttException | RuntimeException e) {
        log.debug("MQTT ack of message {} failed: {}", messageId, MqttErrors.describe(e));
      }
    }

    @Override
    public void kafkaFailed(Exception error) {
      kafkaFailures.increment();
      // Every record behind a failure fails too: one line per connection, not one per record.
      if (lastKafkaFailure != c) {
        lastKafkaFailure = c;
        log.error("MQTT ingress {}: Kafka refused a record ({}); dropping the MQTT connection"
            + " unacknowledged so the broker keeps the messages and resends them",
            settings.clientId(), error.getMessage());
      }
      connection.drop(c, "Kafka refused a record: " + error.getMessage());
    }
  }
}
