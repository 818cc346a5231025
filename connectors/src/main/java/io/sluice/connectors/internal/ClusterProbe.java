package io.sluice.connectors.internal;

import io.sluice.connectors.KafkaCluster;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks each Kafka cluster of a link, every probe interval, whether it answers (an Admin
 * {@code describeCluster} with a timeout), so a route knows its far end is gone even while it has
 * nothing to send. Logs one line when a cluster becomes unreachable and one when it is back.
 * Clusters count as reachable until a probe says otherwise.
 */
public final class ClusterProbe implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ClusterProbe.class);

  private final Map<String, Admin> admins = new LinkedHashMap<>();
  private final Map<String, Boolean> reachable = new ConcurrentHashMap<>();
  private final Map<String, Long> sinceMillis = new ConcurrentHashMap<>();
  private final Duration timeout;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final Duration interval;

  public ClusterProbe(List<KafkaCluster> clusters, Duration interval, Duration backoffMax,
      Clock clock) {
    this.interval = interval;
    this.timeout = interval.compareTo(Duration.ofSeconds(5)) < 0 ? interval : Duration.ofSeconds(5);
    this.clock = clock;
    for (KafkaCluster cluster : clusters) {
      admins.put(cluster.name(), Admin.create(cluster.properties(Map.of(
          AdminClientConfig.CLIENT_ID_CONFIG, "sluice-link-probe-" + cluster.name(),
          AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
          AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
          AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, backoffMax.toMillis()))));
      reachable.put(cluster.name(), true);
      sinceMillis.put(cluster.name(), clock.millis());
    }
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sluice-link-probe");
      t.setDaemon(true);
      return t;
    });
  }

  public void start() {
    scheduler.scheduleWithFixedDelay(this::probeAll, 0, interval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  public boolean reachable(String cluster) {
    return reachable.getOrDefault(cluster, false);
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    admins.values().forEach(a -> a.close(Duration.ofSeconds(2)));
  }

  private void probeAll() {
    admins.forEach((name, admin) -> {
      boolean ok;
      String reason = "";
      try {
        ok = !admin.describeCluster(new DescribeClusterOptions()
                .timeoutMs((int) timeout.toMillis()))
            .nodes().get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS).isEmpty();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        ok = false;
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        reason = cause.getClass().getSimpleName() + ": " + cause.getMessage();
      }
      boolean before = reachable.put(name, ok);
      if (before != ok) {
        long now = clock.millis();
        long lasted = (now - sinceMillis.put(name, now)) / 1000;
        if (ok) {
          log.info("Kafka cluster {} reachable again after {} s", name, lasted);
        } else {
          log.warn("Kafka cluster {} unreachable ({}) after {} s up", name, reason, lasted);
        }
      }
    });
  }
}
