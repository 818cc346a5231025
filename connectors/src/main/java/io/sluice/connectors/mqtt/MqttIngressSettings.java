package io.sluice.connectors.mqtt;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the MQTT ingress.
 *
 * @param brokerUrl {@code tcp://host:1883} or {@code ssl://host:8883}
 * @param clientId stable client id: the broker keeps this client's session (and the messages it
 *     has not acknowledged) under it across reconnects
 * @param subscriptions what to subscribe to
 * @param receiveMaximum most QoS 1/2 messages the broker may have in flight to us unacknowledged;
 *     this bounds memory and is how backpressure reaches the broker
 * @param sessionExpiry how long the broker keeps our session while we are away
 * @param username optional user name
 * @param password optional password (never logged)
 * @param reconnectMin first reconnect delay; doubles up to {@code reconnectMax}
 * @param reconnectMax longest reconnect delay
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
    Duration reconnectMax) {

  public MqttIngressSettings {
    Objects.requireNonNull(brokerUrl, "brokerUrl");
    Objects.requireNonNull(clientId, "clientId");
    subscriptions = List.copyOf(subscriptions);
    if (receiveMaximum < 1 || receiveMaximum > 65_535) {
      throw new IllegalArgumentException("receiveMaximum must be in 1..65535, got " + receiveMaximum);
    }
  }

  /** Defaults: receive maximum 1,000, sessions kept one day, reconnect between 100 ms and 30 s. */
  public static MqttIngressSettings of(String brokerUrl, String clientId,
      List<MqttSubscription> subscriptions) {
    return new MqttIngressSettings(brokerUrl, clientId, subscriptions, 1_000, Duration.ofDays(1),
        Optional.empty(), Optional.empty(), Duration.ofMillis(100), Duration.ofSeconds(30));
  }

  public MqttIngressSettings withCredentials(String user, String secret) {
    return new MqttIngressSettings(brokerUrl, clientId, subscriptions, receiveMaximum,
        sessionExpiry, Optional.ofNullable(user), Optional.ofNullable(secret), reconnectMin,
        reconnectMax);
  }

  public MqttIngressSettings withReceiveMaximum(int max) {
    return new MqttIngressSettings(brokerUrl, clientId, subscriptions, max, sessionExpiry,
        username, password, reconnectMin, reconnectMax);
  }

  @Override
  public String toString() {
    return "MqttIngressSettings[brokerUrl=" + brokerUrl + ", clientId=" + clientId
        + ", subscriptions=" + subscriptions + ", receiveMaximum=" + receiveMaximum
        + ", sessionExpiry=" + sessionExpiry + ", username=" + username.orElse("-")
        + ", password=" + (password.isPresent() ? "****" : "-") + "]";
  }
}
