package io.sluice.connectors.embedded;

/**
 * An MQTT broker this process started for one-box runs, tests and fault drills, and can restart.
 * A restart keeps the port and, for a persistent broker, sessions and queued QoS 1 messages, as a
 * production broker restarting would.
 */
public interface LocalMqttBroker extends AutoCloseable {

  /** {@code tcp://127.0.0.1:<port>}. */
  default String url() {
    return "tcp://127.0.0.1:" + port();
  }

  int port();

  /** Stops the broker gracefully and starts it again on the same port with the same data. */
  void restart();

  /** Which broker, and whether it keeps sessions across restarts, for reports. */
  String description();

  /** Stops the broker; idempotent. */
  @Override
  void close();
}
