package io.sluice.topology.spec;

import java.time.Duration;
import java.util.Map;

/**
 * How a gateway reaches its cloud: the cloud's Kafka cluster, to which the cloud link moves
 * {@code <namespace>.forward} and {@code <namespace>.summaries}, and from which it brings back
 * {@code <namespace>.feedback}.
 *
 * @param bootstrap the cloud cluster's bootstrap servers
 * @param properties further Kafka client settings for the cloud cluster (security, SASL); values
 *     of keys naming a password or secret are never logged
 * @param retention how long the gateway keeps forwarded records while the link is down (the
 *     retention of its forward and summaries topics)
 * @param learn whether the gateway's classifiers learn the cloud's feedback
 */
public record CloudLink(String bootstrap, Map<String, String> properties, Duration retention,
    boolean learn) {

  public CloudLink {
    properties = Map.copyOf(properties);
  }

  @Override
  public String toString() {
    return "CloudLink[bootstrap=" + bootstrap + ", properties=" + properties.keySet()
        + ", retention=" + retention + ", learn=" + learn + "]";
  }
}
