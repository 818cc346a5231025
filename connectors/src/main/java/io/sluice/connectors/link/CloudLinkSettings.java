package io.sluice.connectors.link;

import io.sluice.connectors.KafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of the cloud link. Every failure is reported at once.
 *
 * @param groupId prefix of the consumer groups, one per route: {@code <groupId>.<route>}; on the
 *     cloud cluster (the feedback route) it must differ between gateways, so include the
 *     gateway's name
 * @param clusters the Kafka clusters routes name
 * @param routes what moves where
 * @param compression producer compression on the link: {@code zstd} (default), {@code lz4},
 *     {@code gzip}, {@code snappy} or {@code none}
 * @param linger how long the producer waits to fill a batch (default 50 ms)
 * @param batchBytes most bytes of one batch per partition (default 256 KiB)
 * @param maxInFlight most records of one route sent and not yet acknowledged (default 10,000);
 *     the rest wait in the source topic
 * @param bufferBytes producer memory per route (default 16 MiB)
 * @param backoffMin first wait after a failed send; doubles up to {@code backoffMax}
 * @param backoffMax longest wait between retries and between reconnects (default 10 s)
 * @param stallTimeout a route with records in flight and no acknowledgement for this long is
 *     reported DOWN (default 15 s)
 * @param probeInterval how often every cluster is asked whether it answers (default 5 s)
 * @param commitInterval how often acknowledged source offsets are committed (default 1 s)
 * @param instanceId names this gateway instance in the routes' consumer groups (static
 *     membership): a restarted instance takes its partitions back at once, instead of waiting
 *     for the old member's session to time out (45 s) while its routes stand still. Must be
 *     unique among the instances that share the groups (the MQTT client id is); null (the
 *     default) for dynamic membership
 * @param deadLetters where a record goes that a target cluster refuses for good (too large, an
 *     invalid topic, not authorized); empty: it is passed over, counted and logged
 */
public record CloudLinkSettings(String groupId, List<KafkaCluster> clusters,
    List<LinkRoute> routes, String compression, Duration linger, int batchBytes,
    int maxInFlight, long bufferBytes, Duration backoffMin, Duration backoffMax,
    Duration stallTimeout, Duration probeInterval, Duration commitInterval, String instanceId,
    Optional<DeadLetterRoute> deadLetters) {

  /**
   * Where records that a target cluster refuses for good go.
   *
   * @param cluster the cluster of the dead-letter topic (the gateway's)
   * @param topic the dead-letter topic
   */
  public record DeadLetterRoute(String cluster, String topic) {}

  private static final Set<String> COMPRESSIONS = Set.of("none", "gzip", "snappy", "lz4", "zstd");

  public CloudLinkSettings {
    Objects.requireNonNull(groupId, "groupId");
    clusters = List.copyOf(clusters);
    routes = List.copyOf(routes);
    List<String> errors = new ArrayList<>();
    if (groupId.isBlank()) {
      errors.add("groupId is blank");
    }
    Set<String> names = new HashSet<>();
    for (KafkaCluster c : clusters) {
      if (!names.add(c.name())) {
        errors.add("cluster '" + c.name() + "' is declared twice");
      }
    }
    if (routes.isEmpty()) {
      errors.add("no routes");
    }
    Set<String> routeNames = new HashSet<>();
    for (LinkRoute r : routes) {
      if (!routeNames.add(r.name())) {
        errors.add("route '" + r.name() + "' is declared twice");
      }
      if (!names.contains(r.sourceCluster())) {
        errors.add("route '" + r.name() + "' reads from unknown cluster '" + r.sourceCluster()
            + "' (known: " + names + ")");
      }
      if (!names.contains(r.targetCluster())) {
        errors.add("route '" + r.name() + "' writes to unknown cluster '" + r.targetCluster()
            + "' (known: " + names + ")");
      }
    }
    if (!COMPRESSIONS.contains(compression)) {
      errors.add("compression '" + compression + "' is none of " + COMPRESSIONS);
    }
    if (linger.isNegative()) {
      errors.add("linger is negative: " + linger);
    }
    if (batchBytes < 1) {
      errors.add("batchBytes must be positive, got " + batchBytes);
    }
    if (maxInFlight < 1) {
      errors.add("maxInFlight must be positive, got " + maxInFlight);
    }
    if (bufferBytes < batchBytes) {
      errors.add("bufferBytes (" + bufferBytes + ") must be at least batchBytes (" + batchBytes
          + ")");
    }
    if (backoffMin.isNegative() || backoffMin.isZero() || backoffMax.compareTo(backoffMin) < 0) {
      errors.add("backoff must satisfy 0 < backoffMin <= backoffMax, got " + backoffMin + " and "
          + backoffMax);
    }
    for (var d : List.of(stallTimeout, probeInterval, commitInterval)) {
      if (d.isNegative() || d.isZero()) {
        errors.add("stallTimeout, probeInterval and commitInterval must be positive, got " + d);
      }
    }
    if (instanceId != null && instanceId.isBlank()) {
      errors.add("instanceId is blank (use null for dynamic group membership)");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("Invalid cloud link settings: "
          + String.join("; ", errors));
    }
  }

  /** The defaults documented on each parameter. */
  public static CloudLinkSettings of(String groupId, List<KafkaCluster> clusters,
      List<LinkRoute> routes) {
    return new CloudLinkSettings(groupId, clusters, routes, "zstd", Duration.ofMillis(50),
        256 * 1024, 10_000, 16L * 1024 * 1024, Duration.ofMillis(200), Duration.ofSeconds(10),
        Duration.ofSeconds(15), Duration.ofSeconds(5), Duration.ofSeconds(1), null,
        Optional.empty());
  }

  public KafkaCluster cluster(String name) {
    return clusters.stream().filter(c -> c.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("No cluster named '" + name + "'"));
  }

  public CloudLinkSettings withBatching(String newCompression, Duration newLinger,
      int newBatchBytes) {
    return new CloudLinkSettings(groupId, clusters, routes, newCompression, newLinger,
        newBatchBytes, maxInFlight, bufferBytes, backoffMin, backoffMax, stallTimeout,
        probeInterval, commitInterval, instanceId, deadLetters);
  }

  /** Faster failure detection and recovery, for tests and fault drills. */
  public CloudLinkSettings withTiming(Duration newBackoffMin, Duration newBackoffMax,
      Duration newStallTimeout, Duration newProbeInterval) {
    return new CloudLinkSettings(groupId, clusters, routes, compression, linger, batchBytes,
        maxInFlight, bufferBytes, newBackoffMin, newBackoffMax, newStallTimeout,
        newProbeInterval, commitInterval, instanceId, deadLetters);
  }

  public CloudLinkSettings withMaxInFlight(int newMaxInFlight) {
    return new CloudLinkSettings(groupId, clusters, routes, compression, linger, batchBytes,
        newMaxInFlight, bufferBytes, backoffMin, backoffMax, stallTimeout, probeInterval,
        commitInterval, instanceId, deadLetters);
  }

  /** Static group membership under this instance id (see {@link #instanceId()}). */
  public CloudLinkSettings withInstanceId(String newInstanceId) {
    return new CloudLinkSettings(groupId, clusters, routes, compression, linger, batchBytes,
        maxInFlight, bufferBytes, backoffMin, backoffMax, stallTimeout, probeInterval,
        commitInterval, newInstanceId, deadLetters);
  }

  /** These settings with records a target refuses for good sent to a dead-letter topic. */
  public CloudLinkSettings withDeadLetters(DeadLetterRoute route) {
    return new CloudLinkSettings(groupId, clusters, routes, compression, linger, batchBytes,
        maxInFlight, bufferBytes, backoffMin, backoffMax, stallTimeout, probeInterval,
        commitInterval, instanceId, Optional.of(route));
  }
}
