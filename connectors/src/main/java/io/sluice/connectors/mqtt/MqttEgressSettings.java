package io.sluice.connectors.mqtt;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the MQTT egress.
 *
 * @param mqtt the broker to publish to, and as whom
 * @param kafkaTopic the topic whose records are published ({@code <ns>.alerts})
 * @param groupId Kafka consumer group; its committed offsets say what the broker has
 *     acknowledged. One per gateway, stable across restarts
 * @param defaultTarget MQTT topic for records without the {@code sluice.mqtt.target} header;
 *     empty: such records are skipped and counted
 * @param maxInFlight most messages published and not yet acknowledged (also capped by the
 *     broker's receive maximum)
 * @param reconnectMin first reconnect delay; doubles up to {@code reconnectMax}
 * @param reconnectMax longest reconnect delay
 * @param deadLetterTopic where records the broker refuses for good go (on the same cluster as
 *     {@code kafkaTopic}); empty: they are passed over, counted and logged
 */
public record MqttEgressSettings(MqttEndpoint mqtt, String kafkaTopic, String groupId,
    Optional<String> defaultTarget, int maxInFlight, Duration reconnectMin,
    Duration reconnectMax, Optional<String> deadLetterTopic) {

  public MqttEgressSettings {
    Objects.requireNonNull(mqtt, "mqtt");
    Objects.requireNonNull(kafkaTopic, "kafkaTopic");
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(defaultTarget, "defaultTarget");
    Objects.requireNonNull(reconnectMin, "reconnectMin");
    Objects.requireNonNull(reconnectMax, "reconnectMax");
    Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    List<String> errors = new ArrayList<>();
    if (kafkaTopic.isBlank()) {
      errors.add("kafkaTopic is blank");
    }
    if (groupId.isBlank()) {
      errors.add("groupId is blank");
    }
    defaultTarget.ifPresent(t -> {
      if (t.isEmpty() || t.contains("+") || t.contains("#")) {
        errors.add("defaultTarget '" + t + "' must be a topic name without wildcards");
      }
    });
    if (maxInFlight < 1 || maxInFlight > 65_535) {
      errors.add("maxInFlight must be in 1..65535, got " + maxInFlight);
    }
    MqttEndpoint.checkReconnect(reconnectMin, reconnectMax, errors);
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("Invalid MQTT egress settings for client '"
          + mqtt.clientId() + "': " + String.join("; ", errors));
    }
  }

  /** Defaults: no default target, 100 in flight, reconnect between 100 ms and 30 s. */
  public static MqttEgressSettings of(MqttEndpoint mqtt, String kafkaTopic, String groupId) {
    return new MqttEgressSettings(mqtt, kafkaTopic, groupId, Optional.empty(), 100,
        Duration.ofMillis(100), Duration.ofSeconds(30), Optional.empty());
  }

  public MqttEgressSettings withDefaultTarget(String topic) {
    return new MqttEgressSettings(mqtt, kafkaTopic, groupId, Optional.ofNullable(topic),
        maxInFlight, reconnectMin, reconnectMax, deadLetterTopic);
  }

  public MqttEgressSettings withMaxInFlight(int max) {
    return new MqttEgressSettings(mqtt, kafkaTopic, groupId, defaultTarget, max, reconnectMin,
        reconnectMax, deadLetterTopic);
  }

  public MqttEgressSettings withReconnect(Duration min, Duration max) {
    return new MqttEgressSettings(mqtt, kafkaTopic, groupId, defaultTarget, maxInFlight, min,
        max, deadLetterTopic);
  }

  /** These settings with records the broker refuses for good sent to {@code topic}. */
  public MqttEgressSettings withDeadLetterTopic(String topic) {
    return new MqttEgressSettings(mqtt, kafkaTopic, groupId, defaultTarget, maxInFlight,
        reconnectMin, reconnectMax, Optional.of(topic));
  }
}
