package io.sluice.topology.spec;

import java.time.Duration;
import java.util.Optional;

/** The MQTT and Kafka brokers a topology talks to. */
public record Brokers(Mqtt mqtt, Kafka kafka) {

  /**
   * @param url {@code embedded} for an in-process broker, or {@code tcp://host:1883} /
   *     {@code ssl://host:8883}
   * @param clientId stable MQTT client id; the broker keeps this gateway's session under it
   * @param username optional
   * @param password optional, a secret (write {@code ${MQTT_PASSWORD}})
   * @param receiveMaximum most unacknowledged messages in flight from the broker
   * @param sessionExpiry how long the broker keeps the session while the gateway is away
   */
  public record Mqtt(String url, String clientId, Optional<String> username,
      Optional<String> password, int receiveMaximum, Duration sessionExpiry) {

    public boolean embedded() {
      return url.equals("embedded");
    }

    @Override
    public String toString() {
      return "Mqtt[url=" + url + ", clientId=" + clientId + ", username=" + username.orElse("-")
          + ", password=" + (password.isPresent() ? "****" : "-") + ", receiveMaximum="
          + receiveMaximum + ", sessionExpiry=" + sessionExpiry + "]";
    }
  }

  /**
   * @param bootstrap {@code embedded} for an in-process broker, or {@code host:9092,...}
   * @param partitions partitions of the topics the topology creates
   * @param commitInterval how often Kafka Streams commits its transaction (exactly-once)
   */
  public record Kafka(String bootstrap, int partitions, Duration commitInterval) {

    public boolean embedded() {
      return bootstrap.equals("embedded");
    }
  }
}
