package io.sluice.connectors.mqtt;

import io.micrometer.core.instrument.Counter;
import io.sluice.connectors.internal.Backoff;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT connection that a connector keeps up: connects in the background, and after any loss
 * connects again with exponential backoff, until closed. Paho's own reconnect is off; each
 * attempt uses a fresh Paho client, so nothing of a dead connection (message ids, tokens) leaks
 * into the next. Everything that changes the connection runs on one scheduler thread.
 *
 * <p>Logging is one line per change of state (connected, lost), plus a warning every tenth failed
 * attempt while the broker stays away, not one line per attempt.
 */
final class ManagedConnection implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ManagedConnection.class);
  private static final long TOKEN_TIMEOUT_MS = 30_000;

  enum Phase { CREATED, CONNECTING, CONNECTED, DISCONNECTED, CLOSED }

  /** What the connector does at each step; called on the scheduler or Paho's threads. */
  interface Hooks {
    /** Just connected: subscribe here. Throwing drops the connection and retries later. */
    void connected(Connection connection, boolean sessionPresent) throws MqttException;

    /** A message arrived on {@code connection} (only connectors that subscribe get any). */
    void messageArrived(Connection connection, String topic, MqttMessage message)
        throws Exception;

    /** {@code connection} is gone; called before the next attempt. */
    void lost(Connection connection);
  }

  /** One connection attempt and, if it succeeded, the connection. */
  final class Connection implements MqttCallback {
    private final MqttAsyncClient client;
    private volatile boolean live = true;
    private volatile int serverReceiveMaximum = 65_535;

    private Connection(MqttAsyncClient client) {
      this.client = client;
    }

    MqttAsyncClient client() {
      return client;
    }

    /** Whether this is still the connector's current, usable connection. */
    boolean live() {
      return live && current == this && phase.get() != Phase.CLOSED;
    }

    /** How many unacknowledged QoS 1/2 messages the broker accepts from us at once. */
    int serverReceiveMaximum() {
      return serverReceiveMaximum;
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
      String why = response.getException() != null
          ? MqttErrors.describe(response.getException())
          : "broker sent DISCONNECT with reason " + response.getReturnCode()
              + (response.getReasonString() != null ? " (" + response.getReasonString() + ")" : "");
      drop(this, "connection lost: " + why);
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
      log.warn("MQTT {} {}: {}", role, endpoint(), MqttErrors.describe(exception));
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) throws Exception {
      hooks.messageArrived(this, topic, message);
    }

    @Override
    public void deliveryComplete(IMqttToken token) {}

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {}

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}
  }

  private final MqttConnections connections;
  private final Supplier<MqttConnectionOptions> options;
  private final String role;
  private final Hooks hooks;
  private final Counter reconnects;
  private final Backoff backoff;
  private final ScheduledExecutorService scheduler;
  private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.CREATED);
  private volatile Connection current;
  private volatile String lastFailure = "";

  /**
   * @param options connection options for each attempt (session, flow control added by the
   *     connector to {@link MqttConnections#options()})
   * @param role what this connector is, for logs and thread names ("ingress", "egress")
   */
  ManagedConnection(MqttConnections connections, Supplier<MqttConnectionOptions> options,
      Duration reconnectMin, Duration reconnectMax, String role, Hooks hooks,
      Counter reconnects) {
    this.connections = connections;
    this.options = options;
    this.role = role;
    this.hooks = hooks;
    this.reconnects = reconnects;
    this.backoff = new Backoff(reconnectMin, reconnectMax);
    String clientId = connections.endpoint().clientId();
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sluice-mqtt-" + role + "-" + clientId);
      t.setDaemon(true);
      return t;
    });
  }

  void start() {
    if (phase.compareAndSet(Phase.CREATED, Phase.CONNECTING)) {
      submit(this::connect);
    }
  }

  Phase phase() {
    return phase.get();
  }

  /** The live connection, or null while there is none; may still be connecting. */
  Connection current() {
    Connection c = current;
    return c != null && c.live() ? c : null;
  }

  /** The live connection once connected (and subscribed), or null. */
  Connection connected() {
    Connection c = current();
    return c != null && phase.get() == Phase.CONNECTED && c.client.isConnected() ? c : null;
  }

  /** Drops {@code connection} (if still current) and connects again after the backoff. */
  void drop(Connection connection, String why) {
    submit(() -> {
      if (connection != current || !connection.live) {
        return;
      }
      connection.live = false;
      hooks.lost(connection);
      MqttConnections.closeQuietly(connection.client);
      if (!phase.compareAndSet(Phase.CONNECTED, Phase.DISCONNECTED)) {
        phase.compareAndSet(Phase.CONNECTING, Phase.DISCONNECTED);
      }
      retry(why);
    });
  }

  /**
   * Disconnects (the broker keeps the session for its expiry) and stops reconnecting.
   * Idempotent.
   */
  @Override
  public void close() {
    if (phase.getAndSet(Phase.CLOSED) == Phase.CLOSED) {
      return;
    }
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Connection c = current;
    current = null;
    if (c != null) {
      c.live = false;
      try {
        if (c.client.isConnected()) {
          c.client.disconnect(2_000).waitForCompletion(5_000);
        }
      } catch (MqttException e) {
        log.debug("MQTT {} {}: disconnect failed: {}", role, endpoint(), MqttErrors.describe(e));
      }
      MqttConnections.closeQuietly(c.client);
    }
  }

  private void connect() {
    if (phase.get() == Phase.CLOSED) {
      return;
    }
    phase.compareAndSet(Phase.DISCONNECTED, Phase.CONNECTING);
    Connection connection = new Connection(connections.newClient());
    connection.client.setManualAcks(true);
    connection.client.setCallback(connection);
    // Current before CONNACK: a resumed session's messages may arrive before connect() returns.
    current = connection;
    try {
      IMqttToken token = connection.client.connect(options.get());
      token.waitForCompletion(TOKEN_TIMEOUT_MS);
      MqttProperties props = token.getResponseProperties();
      if (props != null && props.getReceiveMaximum() != null) {
        connection.serverReceiveMaximum = props.getReceiveMaximum();
      }
      hooks.connected(connection, token.getSessionPresent());
      if (!connection.live) {
        return; // lost while subscribing; drop() has scheduled the next attempt
      }
      phase.set(Phase.CONNECTED);
      int failures = backoff.failures();
      backoff.reset();
      lastFailure = "";
      log.info("MQTT {} {} connected to {} (session present: {}{})", role, endpoint(),
          connections.endpoint().brokerUrl(), token.getSessionPresent(),
          failures > 0 ? ", after " + failures + " failed attempts" : "");
    } catch (MqttException | RuntimeException e) {
      connection.live = false;
      hooks.lost(connection);
      MqttConnections.closeQuietly(connection.client);
      if (phase.get() == Phase.CLOSED) {
        return;
      }
      phase.compareAndSet(Phase.CONNECTING, Phase.DISCONNECTED);
      retry("cannot connect: " + MqttErrors.describe(e));
    }
  }

  private void retry(String why) {
    if (phase.get() == Phase.CLOSED) {
      return;
    }
    Duration delay = backoff.next();
    int attempt = backoff.failures();
    boolean changed = !why.equals(lastFailure);
    lastFailure = why;
    if (changed || attempt % 10 == 0) {
      log.warn("MQTT {} {} at {}: {}; attempt {} in {} ms", role, endpoint(),
          connections.endpoint().brokerUrl(), why, attempt, delay.toMillis());
    } else {
      log.debug("MQTT {} {}: {}; attempt {} in {} ms", role, endpoint(), why, attempt,
          delay.toMillis());
    }
    reconnects.increment();
    try {
      scheduler.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // closed meanwhile
    }
  }

  private void submit(Runnable task) {
    try {
      scheduler.execute(task);
    } catch (RejectedExecutionException closing) {
      // closed meanwhile
    }
  }

  private String endpoint() {
    return connections.endpoint().clientId();
  }
}
