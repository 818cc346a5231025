package io.sluice.connectors.link;

import java.util.List;
import java.util.Objects;

/**
 * One direction of the cloud link: records of one topic on one cluster go to one topic on
 * another, keeping key, value, headers and timestamp (so the same key lands in the same target
 * partition, in order).
 *
 * @param name names the route in meters, logs and consumer group ({@code forward})
 * @param sourceCluster name of a {@link io.sluice.connectors.KafkaCluster} in the settings
 * @param sourceTopic topic read (records wait here while the link is down: its retention.ms must
 *     outlast the longest outage)
 * @param targetCluster name of the cluster written to
 * @param targetTopic topic written (must exist; the link does not create topics)
 */
public record LinkRoute(String name, String sourceCluster, String sourceTopic,
    String targetCluster, String targetTopic) {

  public LinkRoute {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sourceCluster, "sourceCluster");
    Objects.requireNonNull(sourceTopic, "sourceTopic");
    Objects.requireNonNull(targetCluster, "targetCluster");
    Objects.requireNonNull(targetTopic, "targetTopic");
    if (!name.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("Link route name '" + name
          + "' must be letters, digits, '.', '_' or '-' (it names a consumer group)");
    }
    if (sourceCluster.equals(targetCluster) && sourceTopic.equals(targetTopic)) {
      throw new IllegalArgumentException("Link route '" + name + "' reads and writes the same"
          + " topic " + sourceTopic + " on cluster " + sourceCluster + ": a loop");
    }
  }

  /**
   * The routes of a gateway: forwarded records and window summaries up to the cloud, the cloud's
   * compacted feedback down to the gateway; each topic keeps its name on both clusters. The
   * names come from the topology ({@code Topics}), which is the one place they are made.
   */
  public static List<LinkRoute> gatewayRoutes(String forwardTopic, String summariesTopic,
      String feedbackTopic, String gatewayCluster, String cloudCluster) {
    return List.of(
        new LinkRoute("forward", gatewayCluster, forwardTopic, cloudCluster, forwardTopic),
        new LinkRoute("summaries", gatewayCluster, summariesTopic, cloudCluster,
            summariesTopic),
        new LinkRoute("feedback", cloudCluster, feedbackTopic, gatewayCluster, feedbackTopic));
  }

  @Override
  public String toString() {
    return name + " (" + sourceCluster + ":" + sourceTopic + " -> " + targetCluster + ":"
        + targetTopic + ")";
  }
}
