package io.sluice.connectors.mqtt;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and as whom a connector connects to an MQTT broker.
 *
 * @param brokerUrl {@code tcp://host:1883}, or {@code ssl://host:8883} for TLS
 * @param clientId the client id; a broker keeps a session under it, so each connector of each
 *     gateway needs its own, stable across restarts
 * @param username optional user name
 * @param password optional password (a secret: never logged; write {@code ${MQTT_PASSWORD}} in
 *     YAML)
 * @param tls certificates for {@code ssl://} URLs; must be {@link MqttTls#defaults()} for
 *     {@code tcp://}
 */
public record MqttEndpoint(String brokerUrl, String clientId, Optional<String> username,
    Optional<String> password, MqttTls tls) {

  public MqttEndpoint {
    Objects.requireNonNull(brokerUrl, "brokerUrl");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(tls, "tls");
    List<String> errors = new ArrayList<>();
    String scheme = brokerUrl.contains("://")
        ? brokerUrl.substring(0, brokerUrl.indexOf("://")).toLowerCase(Locale.ROOT) : "";
    if (!scheme.equals("tcp") && !scheme.equals("ssl")) {
      errors.add("brokerUrl '" + brokerUrl + "' must start with tcp:// or ssl://");
    }
    if (scheme.equals("tcp") && tls.customised()) {
      errors.add("TLS settings are given but brokerUrl '" + brokerUrl
          + "' is plain tcp://; use ssl://host:8883");
    }
    if (clientId.isBlank() || clientId.length() > 65_535) {
      errors.add("clientId must be 1 to 65535 characters, got '" + clientId + "'");
    }
    if (password.isPresent() && username.isEmpty()) {
      errors.add("a password is given without a username");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("Invalid MQTT settings for client '" + clientId + "': "
          + String.join("; ", errors));
    }
  }

  /** Anonymous, no TLS settings. */
  public static MqttEndpoint of(String brokerUrl, String clientId) {
    return new MqttEndpoint(brokerUrl, clientId, Optional.empty(), Optional.empty(),
        MqttTls.defaults());
  }

  public boolean usesTls() {
    return brokerUrl.regionMatches(true, 0, "ssl://", 0, 6);
  }

  public MqttEndpoint withCredentials(String user, String secret) {
    return new MqttEndpoint(brokerUrl, clientId, Optional.ofNullable(user),
        Optional.ofNullable(secret), tls);
  }

  public MqttEndpoint withTls(MqttTls newTls) {
    return new MqttEndpoint(brokerUrl, clientId, username, password, newTls);
  }

  /** Adds an error unless {@code 0 < min <= max}; shared by the connectors' settings. */
  static void checkReconnect(Duration min, Duration max, List<String> errors) {
    if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
      errors.add("reconnect delays must satisfy 0 < reconnectMin <= reconnectMax, got " + min
          + " and " + max);
    }
  }

  @Override
  public String toString() {
    return "MqttEndpoint[brokerUrl=" + brokerUrl + ", clientId=" + clientId + ", username="
        + username.orElse("-") + ", password=" + (password.isPresent() ? "****" : "-")
        + ", tls=" + tls + "]";
  }
}
