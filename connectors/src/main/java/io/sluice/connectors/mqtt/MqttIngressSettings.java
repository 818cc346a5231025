package io.sluice.connectors.mqtt;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the MQTT ingress.
 *
 * @param brokerUrl {@code tcp://host:1883} or {@code ssl://host:8883}
 * @param clientId stable client id: the broker keeps this client's session (and the messages it
 *     has not acknowledged) under it across reconnects; gateway instances that share a topic
 *     through {@code $share/...} each need their own
 * @param subscriptions what to subscribe to
 * @param receiveMaximum most QoS 1/2 messages the broker may have in flight to us unacknowledged;
 *     this bounds memory and is how backpressure reaches the broker
 * @param sessionExpiry how long the broker keeps our session (subscriptions and queued messages)
 *     while we are away
 * @param username optional user name
 * @param password optional password (never logged)
 * @param reconnectMin first reconnect delay; doubles up to {@code reconnectMax}
 * @param reconnectMax longest reconnect delay
 * @param tls certificates for {@code ssl://} URLs
 * @param sparkplugHost null for a plain ingress; otherwise the connection is a Sparkplug B host
 *     application's: clean start with session expiry 0 as Sparkplug 3.0 requires, and, with a
 *     host id, the retained STATE birth and will
 * @param deadLetters null to treat every Kafka failure as passing (the connection drops and the
 *     broker resends); otherwise payloads over its size limit, and records Kafka refuses for
 *     good, go to its topic as dead letters and their messages are acknowledged
 */
public record MqttIngressSettings(
    String brokerUrl,
    String clientId,
    List<MqttSubscription> subscriptions,
    int receiveMaximum,
    Duration sessionExpiry,
    Optional<String> username,
    Optional<String> password,
    Duration reconnectMin,
    Duration reconnectMax,
    MqttTls tls,
    SparkplugHost sparkplugHost,
    DeadLetterRoute deadLetters) {

  /**
   * Where poison messages go.
   *
   * @param topic the dead-letter topic
   * @param maxPayloadBytes larger payloads are not written to the input topic but dead-lettered,
   *     with their first bytes and their size
   * @param keptBytes how many of a poison payload's first bytes its dead letter keeps
   */
  public record DeadLetterRoute(String topic, long maxPayloadBytes, int keptBytes) {
    public DeadLetterRoute {
      Objects.requireNonNull(topic, "topic");
      if (maxPayloadBytes < 1 || keptBytes < 0) {
        throw new IllegalArgumentException("maxPayloadBytes must be positive and keptBytes not"
            + " negative");
      }
    }
  }

  /**
   * The ingress as a Sparkplug host application.
   *
   * @param hostId the primary host id whose STATE the ingress publishes; empty for none
   */
  public record SparkplugHost(Optional<String> hostId) {
    public SparkplugHost {
      Objects.requireNonNull(hostId, "hostId");
    }

    /** {@code spBv1.0/STATE/<hostId>}, or null without a host id. */
    public String stateTopic() {
      return hostId.map(h -> "spBv1.0/STATE/" + h).orElse(null);
    }
  }

  public MqttIngressSettings(String brokerUrl, String clientId,
      List<MqttSubscription> subscriptions, int receiveMaximum, Duration sessionExpiry,
      Optional<String> username, Optional<String> password, Duration reconnectMin,
      Duration reconnectMax, MqttTls tls) {
    this(brokerUrl, clientId, subscriptions, receiveMaximum, sessionExpiry, username, password,
        reconnectMin, reconnectMax, tls, null, null);
  }


  public MqttIngressSettings {
    Objects.requireNonNull(subscriptions, "subscriptions");
    Objects.requireNonNull(sessionExpiry, "sessionExpiry");
    Objects.requireNonNull(reconnectMin, "reconnectMin");
    Objects.requireNonNull(reconnectMax, "reconnectMax");
    // Validates URL, client id, credentials and TLS together.
    new MqttEndpoint(brokerUrl, clientId, username, password, tls);
    subscriptions = List.copyOf(subscriptions);
    List<String> errors = new ArrayList<>();
    if (subscriptions.isEmpty()) {
      errors.add("at least one subscription is needed");
    }
    if (receiveMaximum < 1 || receiveMaximum > 65_535) {
      errors.add("receiveMaximum must be in 1..65535, got " + receiveMaximum);
    }
    if (sessionExpiry.isNegative() || sessionExpiry.toSeconds() > 0xFFFF_FFFFL) {
      errors.add("sessionExpiry must be 0 to 4294967295 s, got " + sessionExpiry);
    }
    MqttEndpoint.checkReconnect(reconnectMin, reconnectMax, errors);
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("Invalid MQTT ingress settings for client '" + clientId
          + "': " + String.join("; ", errors));
    }
  }

  /** The settings without TLS files, as before TLS existed (kept for source compatibility). */
  public MqttIngressSettings(String brokerUrl, String clientId,
      List<MqttSubscription> subscriptions, int receiveMaximum, Duration sessionExpiry,
      Optional<String> username, Optional<String> password, Duration reconnectMin,
      Duration reconnectMax) {
    this(brokerUrl, clientId, subscriptions, receiveMaximum, sessionExpiry, username, password,
        reconnectMin, reconnectMax, MqttTls.defaults());
  }

  /** Defaults: receive maximum 1,000, sessions kept one day, reconnect between 100 ms and 30 s. */
  public static MqttIngressSettings of(String brokerUrl, String clientId,
      List<MqttSubscription> subscriptions) {
    return new MqttIngressSettings(brokerUrl, clientId, subscriptions, 1_000, Duration.ofDays(1),
        Optional.empty(), Optional.empty(), Duration.ofMillis(100), Duration.ofSeconds(30),
        MqttTls.defaults());
  }

  /** The connection part of these settings. */
  public MqttEndpoint endpoint() {
    return new MqttEndpoint(brokerUrl, clientId, username, password, tls);
  }

  public MqttIngressSettings withCredentials(String user, String secret) {
    return new MqttIngressSettings(brokerUrl, clientId, subscriptions, receiveMaximum,
        sessionExpiry, Optional.ofNullable(user), Optional.ofNullable(secret), reconnectMin,
        reconnectMax, tls, sparkplugHost, deadLetters);
  }

  public MqttIngressSettings withReceiveMaximum(int max) {
    return new MqttIngressSettings(brokerUrl, clientId, subscriptions, max, sessionExpiry,
        username, password, reconnectMin, reconnectMax, tls, sparkplugHost, deadLetters);
  }

  public MqttIngressSettings withTls(MqttTls newTls) {
    return new MqttIngressSettings(brokerUrl, clientId, subscriptions, receiveMaximum,
        sessionExpiry, username, password, reconnectMin, reconnectMax, newTls, sparkplugHost,
        deadLetters);
  }

  public MqttIngressSettings withReconnect(Duration min, Duration max) {
    return new MqttIngressSettings(brokerUrl, clientId, subscriptions, receiveMaximum,
        sessionExpiry, username, password, min, max, tls, sparkplugHost, deadLetters);
  }

  /** These settings for a Sparkplug host application's connection. */
  public MqttIngressSettings withSparkplugHost(SparkplugHost host) {
    return new MqttIngressSettings(brokerUrl, clientId, subscriptions, receiveMaximum,
        sessionExpiry, username, password, reconnectMin, reconnectMax, tls, host, deadLetters);
  }

  /** These settings with poison messages sent to a dead-letter topic. */
  public MqttIngressSettings withDeadLetters(DeadLetterRoute route) {
    return new MqttIngressSettings(brokerUrl, clientId, subscriptions, receiveMaximum,
        sessionExpiry, username, password, reconnectMin, reconnectMax, tls, sparkplugHost, route);
  }

  @Override
  public String toString() {
    return "MqttIngressSettings[brokerUrl=" + brokerUrl + ", clientId=" + clientId
        + ", subscriptions=" + subscriptions + ", receiveMaximum=" + receiveMaximum
        + ", sessionExpiry=" + sessionExpiry + ", username=" + username.orElse("-")
        + ", password=" + (password.isPresent() ? "****" : "-") + ", reconnect=" + reconnectMin
        + ".." + reconnectMax + ", tls=" + tls
        + (sparkplugHost == null ? "" : ", sparkplugHost=" + sparkplugHost) + "]";
  }
}
