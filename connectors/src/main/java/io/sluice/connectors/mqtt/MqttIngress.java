package io.sluice.connectors.mqtt;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.connectors.ConnectorMeters;
import io.sluice.connectors.internal.OrderedAcks;
import io.sluice.schemas.RecordHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves MQTT messages into Kafka without losing any.
 *
 * <p><b>Acknowledge after Kafka.</b> Paho runs with manual acknowledgements: a QoS 1 message is
 * acknowledged to the broker only once Kafka has confirmed the record, and acknowledgements leave
 * in arrival order ({@link OrderedAcks}). A crash between the two makes the broker deliver the
 * message again instead of losing it (at-least-once; event ids make duplicates harmless).
 *
 * <p><b>Backpressure.</b> The broker sends at most {@code receiveMaximum} unacknowledged messages;
 * when Kafka is slow, acknowledgements stop and so does the flow. Nothing is buffered in Paho:
 * Kafka is the buffer. If Kafka refuses a record, the ingress drops the MQTT connection without
 * acknowledging, so the broker keeps the message and resends it when we reconnect.
 *
 * <p><b>Reconnects.</b> Owned here, not by Paho: clean start off and a session expiry, so the broker
 * keeps our subscriptions and unacknowledged messages while we are away; exponential backoff
 * between attempts. Order: one client, so each topic's messages arrive in order, and the Kafka key is
 * the device id, so each device's records keep their MQTT order in one partition.
 */
public final class MqttIngress implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(MqttIngress.class);

  /** Connection state, as reported to health checks. */
  public enum State { CREATED, CONNECTING, CONNECTED, DISCONNECTED, CLOSED }

  private record Delivery(int messageId, int qos, long epoch) {}

  private final MqttIngressSettings settings;
  private final Producer<byte[], byte[]> producer;
  private final Clock clock;
  private final MqttAsyncClient client;
  private final OrderedAcks<Delivery> acks = new OrderedAcks<>();
  private final ScheduledExecutorService scheduler;
  private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
  private final AtomicLong epoch = new AtomicLong();
  private final AtomicInteger attempt = new AtomicInteger();
  private final Counter received;
  private final Counter receivedBytes;
  private final Counter acknowledged;
  private final Counter kafkaFailures;
  private final Counter reconnects;

  public MqttIngress(MqttIngressSettings settings, Producer<byte[], byte[]> producer,
      MeterRegistry registry, Clock clock) {
    this.settings = settings;
    this.producer = producer;
    this.clock = clock;
    try {
      this.client = new MqttAsyncClient(settings.brokerUrl(), settings.clientId(),
          new MemoryPersistence());
    } catch (MqttException e) {
      throw new IllegalArgumentException("Cannot create an MQTT client for "
          + settings.brokerUrl() + ": " + MqttErrors.describe(e), e);
    }
    this.client.setManualAcks(true);
    this.client.setCallback(new Callback());
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sluice-mqtt-ingress-" + settings.clientId());
      t.setDaemon(true);
      return t;
    });
    String client = settings.clientId();
    this.received = ConnectorMeters.MQTT_RECEIVED.counter(registry, "client", client);
    this.receivedBytes = ConnectorMeters.MQTT_RECEIVED_BYTES.counter(registry, "client", client);
    this.acknowledged = ConnectorMeters.MQTT_ACKNOWLEDGED.counter(registry, "client", client);
    this.kafkaFailures = ConnectorMeters.MQTT_KAFKA_FAILURES.counter(registry, "client", client);
    this.reconnects = ConnectorMeters.MQTT_RECONNECTS.counter(registry, "client", client);
    Gauge.builder(ConnectorMeters.MQTT_IN_FLIGHT.meterName(), acks, OrderedAcks::pending)
        .description(ConnectorMeters.MQTT_IN_FLIGHT.description())
        .tag("client", client).register(registry);
    Gauge.builder(ConnectorMeters.MQTT_CONNECTED.meterName(), state,
            s -> s.get() == State.CONNECTED ? 1 : 0)
        .description(ConnectorMeters.MQTT_CONNECTED.description())
        .tag("client", client).register(registry);
  }

  /** Connects (in the background, retrying until it succeeds or the ingress is closed). */
  public void start() {
    if (state.compareAndSet(State.CREATED, State.CONNECTING)) {
      scheduler.execute(this::connect);
    }
  }

  public State state() {
    return state.get();
  }

  public MqttIngressSettings settings() {
    return settings;
  }

  /** Messages received but not yet acknowledged (waiting for Kafka). */
  public int inFlight() {
    return acks.pending();
  }

  /**
   * Disconnects without acknowledging what is still in flight: the broker keeps those messages
   * for our session. The producer is the caller's to flush and close.
   */
  @Override
  public void close() {
    State previous = state.getAndSet(State.CLOSED);
    if (previous == State.CLOSED) {
      return;
    }
    scheduler.shutdownNow();
    try {
      if (client.isConnected()) {
        client.disconnect(2_000).waitForCompletion(5_000);
      }
    } catch (MqttException e) {
      log.debug("MQTT disconnect of {} failed: {}", settings.clientId(), MqttErrors.describe(e));
    }
    try {
      client.close(true);
    } catch (MqttException e) {
      log.debug("MQTT close of {} failed: {}", settings.clientId(), MqttErrors.describe(e));
    }
    log.info("MQTT ingress {} closed", settings.clientId());
  }

  private void connect() {
    if (state.get() == State.CLOSED) {
      return;
    }
    state.set(State.CONNECTING);
    try {
      IMqttToken token = client.connect(options());
      token.waitForCompletion(30_000);
      subscribe();
      attempt.set(0);
      state.set(State.CONNECTED);
      log.info("MQTT ingress {} connected to {} (session present: {}), subscribed to {}",
          settings.clientId(), settings.brokerUrl(), token.getSessionPresent(),
          settings.subscriptions().stream().map(MqttSubscription::topicFilter).toList());
    } catch (MqttException e) {
      state.compareAndSet(State.CONNECTING, State.DISCONNECTED);
      scheduleReconnect("cannot connect: " + MqttErrors.describe(e));
    }
  }

  private void subscribe() throws MqttException {
    List<MqttSubscription> subs = settings.subscriptions();
    org.eclipse.paho.mqttv5.common.MqttSubscription[] filters =
        new org.eclipse.paho.mqttv5.common.MqttSubscription[subs.size()];
    for (int i = 0; i < subs.size(); i++) {
      filters[i] = new org.eclipse.paho.mqttv5.common.MqttSubscription(
          subs.get(i).topicFilter(), subs.get(i).qos());
    }
    IMqttToken token = client.subscribe(filters);
    token.waitForCompletion(30_000);
    int[] granted = token.getGrantedQos();
    for (int i = 0; i < granted.length && i < subs.size(); i++) {
      if (granted[i] >= 0x80) {
        throw new MqttException(granted[i]);
      }
      if (granted[i] < subs.get(i).qos()) {
        log.warn("MQTT broker granted QoS {} instead of {} for {}", granted[i], subs.get(i).qos(),
            subs.get(i).topicFilter());
      }
    }
  }

  private MqttConnectionOptions options() {
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(false);
    options.setSessionExpiryInterval(settings.sessionExpiry().toSeconds());
    options.setReceiveMaximum(settings.receiveMaximum());
    options.setAutomaticReconnect(false);
    options.setKeepAliveInterval(30);
    options.setConnectionTimeout(10);
    settings.username().ifPresent(options::setUserName);
    settings.password().ifPresent(p -> options.setPassword(p.getBytes(StandardCharsets.UTF_8)));
    return options;
  }

  private void scheduleReconnect(String why) {
    if (state.get() == State.CLOSED) {
      return;
    }
    int n = attempt.getAndIncrement();
    long delay = Math.min(settings.reconnectMax().toMillis(),
        settings.reconnectMin().toMillis() << Math.min(n, 20));
    log.warn("MQTT ingress {} at {}: {}; reconnecting in {} ms (attempt {})", settings.clientId(),
        settings.brokerUrl(), why, delay, n + 1);
    reconnects.increment();
    try {
      scheduler.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // closing
    }
  }

  private void onMessage(String topic, MqttMessage message) {
    received.increment();
    byte[] payload = message.getPayload();
    receivedBytes.increment(payload.length);
    MqttSubscription sub = route(topic);
    String deviceId = sub.deviceId(topic);
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(sub.kafkaTopic(), null,
        deviceId.getBytes(StandardCharsets.UTF_8), payload);
    record.headers()
        .add(new RecordHeader(RecordHeaders.MQTT_TOPIC, topic.getBytes(StandardCharsets.UTF_8)))
        .add(new RecordHeader(RecordHeaders.RECEIVED_AT,
            Long.toString(clock.millis()).getBytes(StandardCharsets.UTF_8)))
        .add(new RecordHeader(RecordHeaders.SOURCE, sub.source().getBytes(StandardCharsets.UTF_8)))
        .add(new RecordHeader(RecordHeaders.DEVICE_ID, deviceId.getBytes(StandardCharsets.UTF_8)));
    if (message.getQos() == 0) {
      producer.send(record, (meta, error) -> {
        if (error != null) {
          kafkaFailures.increment();
          log.error("QoS 0 message from {} lost: Kafka refused it: {}", topic, error.getMessage());
        }
      });
      return;
    }
    long current = epoch.get();
    OrderedAcks.Slot<Delivery> slot =
        acks.arrive(new Delivery(message.getId(), message.getQos(), current));
    try {
      producer.send(record, (meta, error) -> {
        if (error != null) {
          onKafkaFailure(topic, error);
        } else {
          acknowledge(acks.complete(slot));
        }
      });
    } catch (RuntimeException e) {
      onKafkaFailure(topic, e);
    }
  }

  private void acknowledge(List<Delivery> ready) {
    for (Delivery d : ready) {
      if (d.epoch() != epoch.get()) {
        continue; // from a connection that is gone: the broker will resend it
      }
      try {
        client.messageArrivedComplete(d.messageId(), d.qos());
        acknowledged.increment();
      } catch (MqttException e) {
        log.debug("MQTT ack of message {} failed: {}", d.messageId(), MqttErrors.describe(e));
      }
    }
  }

  private void onKafkaFailure(String topic, Exception error) {
    kafkaFailures.increment();
    log.error("Kafka refused a message from MQTT topic {}: {}; dropping the MQTT connection so the"
        + " broker keeps it and resends it", topic, error.getMessage());
    scheduler.execute(this::forceReconnect);
  }

  private void forceReconnect() {
    if (state.get() == State.CLOSED) {
      return;
    }
    epoch.incrementAndGet();
    acks.clear();
    try {
      client.disconnectForcibly(0, 1_000, false);
    } catch (MqttException e) {
      log.debug("Forced MQTT disconnect failed: {}", MqttErrors.describe(e));
    }
    state.set(State.DISCONNECTED);
    scheduleReconnect("dropped after a Kafka failure");
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

  private final class Callback implements MqttCallback {
    @Override
    public void disconnected(MqttDisconnectResponse response) {
      if (state.get() == State.CLOSED) {
        return;
      }
      epoch.incrementAndGet();
      acks.clear();
      state.set(State.DISCONNECTED);
      scheduleReconnect("connection lost ("
          + (response.getException() != null ? MqttErrors.describe(response.getException())
              : "reason " + response.getReturnCode()) + ")");
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
      log.warn("MQTT ingress {}: {}", settings.clientId(), MqttErrors.describe(exception));
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      onMessage(topic, message);
    }

    @Override
    public void deliveryComplete(IMqttToken token) {}

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {}

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}
  }

  /** Exposed for tests: how long the next reconnect would wait after {@code failures}. */
  static Duration backoff(MqttIngressSettings settings, int failures) {
    return Duration.ofMillis(Math.min(settings.reconnectMax().toMillis(),
        settings.reconnectMin().toMillis() << Math.min(failures, 20)));
  }
}
