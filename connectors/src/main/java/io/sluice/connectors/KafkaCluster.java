package io.sluice.connectors;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A Kafka cluster a connector reads from or writes to.
 *
 * @param name what routes and logs call it ({@code gateway}, {@code cloud})
 * @param bootstrapServers {@code host:9092,...}
 * @param clientProperties further Kafka client settings for every client of this cluster, for
 *     example {@code security.protocol=SSL} and {@code ssl.truststore.location}; values of keys
 *     that name a password or secret are masked in {@link #toString()}
 */
public record KafkaCluster(String name, String bootstrapServers,
    Map<String, String> clientProperties) {

  public KafkaCluster {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    clientProperties = Map.copyOf(clientProperties);
    List<String> errors = new ArrayList<>();
    if (name.isBlank()) {
      errors.add("name is blank");
    }
    if (bootstrapServers.isBlank()) {
      errors.add("bootstrapServers is blank");
    }
    if (clientProperties.containsKey("bootstrap.servers")) {
      errors.add("give bootstrap.servers as bootstrapServers, not in clientProperties");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("Invalid Kafka cluster '" + name + "': "
          + String.join("; ", errors));
    }
  }

  public static KafkaCluster of(String name, String bootstrapServers) {
    return new KafkaCluster(name, bootstrapServers, Map.of());
  }

  /** Client properties: bootstrap servers, then {@code clientProperties}, then {@code fixed}. */
  public Properties properties(Map<String, ?> fixed) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrapServers);
    p.putAll(clientProperties);
    p.putAll(fixed);
    return p;
  }

  @Override
  public String toString() {
    Map<String, String> shown = new TreeMap<>();
    clientProperties.forEach((k, v) -> shown.put(k, secret(k) ? "****" : v));
    return "KafkaCluster[name=" + name + ", bootstrapServers=" + bootstrapServers
        + (shown.isEmpty() ? "" : ", clientProperties=" + shown) + "]";
  }

  private static boolean secret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("password") || k.contains("secret") || k.contains("jaas")
        || k.contains("credential") || k.endsWith(".key");
  }
}
