package io.sluice.connectors.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several real Kafka brokers in KRaft mode inside this JVM, each broker and controller in one
 * (a three-node quorum for three nodes), for tests that need replication: internal and new
 * topics are replicated to every node (at most three) with {@code min.insync.replicas} one
 * less, so a cluster of three survives a node. Nodes start in parallel (each waits for the
 * quorum) and stop together, without controlled shutdown.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);

  private final List<KafkaRaftServer> servers;
  private final String bootstrapServers;
  private final Path dataDir;

  private EmbeddedKafkaCluster(List<KafkaRaftServer> servers, String bootstrapServers,
      Path dataDir) {
    this.servers = servers;
    this.bootstrapServers = bootstrapServers;
    this.dataDir = dataDir;
  }

  /** Starts {@code nodes} brokers in a temporary folder on free ports. */
  public static EmbeddedKafkaCluster start(int nodes) {
    if (nodes < 1) {
      throw new IllegalArgumentException("A cluster needs at least one node, got " + nodes);
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("sluice-kafka-cluster-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare a folder for the embedded Kafka cluster", e);
    }
    int[] clientPorts = new int[nodes];
    int[] controllerPorts = new int[nodes];
    StringBuilder voters = new StringBuilder();
    StringBuilder bootstrap = new StringBuilder();
    for (int i = 0; i < nodes; i++) {
      clientPorts[i] = FreePorts.next();
      controllerPorts[i] = FreePorts.next();
      voters.append(i == 0 ? "" : ",").append(i + 1).append("@127.0.0.1:")
          .append(controllerPorts[i]);
      bootstrap.append(i == 0 ? "" : ",").append("127.0.0.1:").append(clientPorts[i]);
    }
    String clusterId = Uuid.randomUuid().toString();
    int replicas = Math.min(3, nodes);
    List<KafkaRaftServer> servers = new ArrayList<>();
    ExecutorService starters = Executors.newFixedThreadPool(nodes);
    try {
      List<Future<KafkaRaftServer>> started = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        Path nodeDir = dir.resolve("node-" + (i + 1));
        Files.createDirectories(nodeDir);
        Properties p = EmbeddedKafka.nodeProperties(i + 1, nodeDir, clientPorts[i],
            controllerPorts[i], voters.toString(), replicas);
        // Stopping a test cluster node by node would leave the last brokers waiting minutes for
        // a controller quorum that is gone; nothing needs their leadership handed over first.
        p.put("controlled.shutdown.enable", "false");
        KafkaConfig config = KafkaConfig.fromProps(p, false);
        EmbeddedKafka.format(config, nodeDir, clusterId);
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        servers.add(server);
        started.add(starters.submit(() -> {
          server.startup();
          return server;
        }));
      }
      for (Future<KafkaRaftServer> f : started) {
        f.get(120, TimeUnit.SECONDS);
      }
      EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(servers, bootstrap.toString(),
          dir);
      cluster.awaitNodes(nodes, Duration.ofSeconds(120));
      log.info("Embedded Kafka cluster of {} nodes ready at {}", nodes, bootstrap);
      return cluster;
    } catch (Exception e) {
      for (KafkaRaftServer s : servers) {
        try {
          s.shutdown();
        } catch (RuntimeException ignored) {
          // stopping anyway
        }
      }
      EmbeddedKafka.deleteRecursively(dir);
      throw new IllegalStateException("The embedded Kafka cluster did not start: " + e, e);
    } finally {
      starters.shutdownNow();
    }
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** How many nodes the cluster has. */
  public int size() {
    return servers.size();
  }

  private void awaitNodes(int nodes, Duration timeout) throws InterruptedException {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(props)) {
      while (true) {
        try {
          if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() >= nodes) {
            return;
          }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
            e) {
          // not yet
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("The embedded Kafka cluster at " + bootstrapServers
              + " did not show " + nodes + " nodes in " + timeout);
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }
  }

  @Override
  public synchronized void close() {
    List<Thread> stopping = new ArrayList<>();
    for (KafkaRaftServer server : servers) {
      Thread t = new Thread(server::shutdown, "sluice-kafka-cluster-stop");
      t.start();
      stopping.add(t);
    }
    for (Thread t : stopping) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    servers.forEach(KafkaRaftServer::awaitShutdown);
    EmbeddedKafka.deleteRecursively(dataDir);
    log.info("Embedded Kafka cluster at {} stopped", bootstrapServers);
  }
}
