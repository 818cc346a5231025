package io.sluice.connectors.mqtt;

import java.util.Objects;

/**
 * One topic filter the ingress subscribes to, and where its messages go in Kafka.
 *
 * @param source name of the topology source, written to every record's headers
 * @param topicFilter MQTT topic filter, wildcards allowed ({@code plant/+/notes}, {@code a/#}),
 *     shared subscriptions too ({@code $share/gateways/plant/+/notes})
 * @param qos 0, 1 or 2; 1 is the default and what "nothing lost" needs
 * @param kafkaTopic topic the messages are written to
 * @param deviceIdLevel which topic level (0-based) names the device; -1 for the first level
 *     matched by a {@code +} wildcard, or the whole topic when the filter has none
 * @param sparkplug Sparkplug B messages: the key is the edge node, {@code <group>/<edge node>},
 *     so that all of a node's messages (births, data, deaths) stay in order in one partition
 */
public record MqttSubscription(String source, String topicFilter, int qos, String kafkaTopic,
    int deviceIdLevel, boolean sparkplug) {

  public MqttSubscription(String source, String topicFilter, int qos, String kafkaTopic,
      int deviceIdLevel) {
    this(source, topicFilter, qos, kafkaTopic, deviceIdLevel, false);
  }

  public MqttSubscription {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(topicFilter, "topicFilter");
    Objects.requireNonNull(kafkaTopic, "kafkaTopic");
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos must be 0, 1 or 2, got " + qos);
    }
  }

  /** The device id for a message that arrived on {@code topic}. */
  public String deviceId(String topic) {
    String[] levels = topic.split("/", -1);
    if (sparkplug) {
      return levels.length >= 4 && levels[0].equals("spBv1.0") ? levels[1] + "/" + levels[3]
          : topic;
    }
    int level = deviceIdLevel >= 0 ? deviceIdLevel : firstWildcardLevel();
    if (level >= 0 && level < levels.length) {
      return levels[level];
    }
    return topic;
  }

  private int firstWildcardLevel() {
    String filter = topicFilter;
    if (filter.startsWith("$share/")) {
      int groupEnd = filter.indexOf('/', "$share/".length());
      filter = groupEnd < 0 ? "" : filter.substring(groupEnd + 1);
    }
    String[] levels = filter.split("/", -1);
    for (int i = 0; i < levels.length; i++) {
      if (levels[i].equals("+")) {
        return i;
      }
    }
    return -1;
  }
}
