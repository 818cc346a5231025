package io.sluice.connectors.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one), started inside this
 * JVM for one-box runs and tests. It is the same broker production runs, configured for one node:
 * replication factor 1 for internal topics, so transactions and exactly-once work.
 *
 * <p>With a data folder given, the broker keeps its logs there and a restart finds its topics and
 * committed offsets again; without one it uses a temporary folder removed on {@link #close()}.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

  private final KafkaRaftServer server;
  private final String bootstrapServers;
  private final Path dataDir;
  private final boolean temporary;
  private volatile boolean closed;

  private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers, Path dataDir,
      boolean temporary) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.dataDir = dataDir;
    this.temporary = temporary;
  }

  /** Starts a broker in a temporary folder on a free port. */
  public static EmbeddedKafka start() {
    return start(null, 0);
  }

  /**
   * Starts a broker.
   *
   * @param dataDir folder for the logs, created and formatted if needed; null for a temporary one
   * @param port client port on 127.0.0.1; 0 for a free one
   */
  public static EmbeddedKafka start(Path dataDir, int port) {
    boolean temporary = dataDir == null;
    try {
      Path dir = temporary ? Files.createTempDirectory("sluice-kafka-") : dataDir;
      Files.createDirectories(dir);
      int clientPort = port == 0 ? FreePorts.next() : port;
      int controllerPort = FreePorts.next();
      KafkaConfig config = KafkaConfig.fromProps(properties(dir, clientPort, controllerPort), false);
      format(config, dir);
      KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
      server.startup();
      String bootstrap = "127.0.0.1:" + clientPort;
      EmbeddedKafka kafka = new EmbeddedKafka(server, bootstrap, dir, temporary);
      kafka.awaitReady(Duration.ofSeconds(60));
      log.info("Embedded Kafka ready at {} (data in {})", bootstrap, dir);
      return kafka;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare a folder for the embedded Kafka broker", e);
    }
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Creates topics that do not exist yet; partitions apply to new topics only. */
  public void createTopics(Map<String, Integer> partitionsByTopic) {
    TopicAdmin.ensureTopics(bootstrapServers, partitionsByTopic, Map.of());
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.shutdown();
    server.awaitShutdown();
    if (temporary) {
      deleteRecursively(dataDir);
    }
    log.info("Embedded Kafka at {} stopped", bootstrapServers);
  }

  private void awaitReady(Duration timeout) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(props)) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "Embedded Kafka at " + bootstrapServers + " did not become ready in " + timeout, e);
          }
        }
      }
    }
  }

  private static Properties properties(Path dir, int clientPort, int controllerPort) {
    return nodeProperties(1, dir, clientPort, controllerPort, "1@127.0.0.1:" + controllerPort, 1);
  }

  /**
   * The settings of one node, broker and controller in one.
   *
   * @param voters the controller quorum, {@code id@host:port,...}
   * @param replicas replication factor of internal and new topics; min.insync.replicas is one
   *     less (at least 1)
   */
  static Properties nodeProperties(int nodeId, Path dir, int clientPort, int controllerPort,
      String voters, int replicas) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(nodeId));
    p.put("controller.quorum.voters", voters);
    p.put("listeners",
        "PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", dir.toAbsolutePath().toString());
    String factor = Integer.toString(replicas);
    String isr = Integer.toString(Math.max(1, replicas - 1));
    p.put("default.replication.factor", factor);
    p.put("offsets.topic.replication.factor", factor);
    p.put("offsets.topic.num.partitions", "3");
    p.put("transaction.state.log.replication.factor", factor);
    p.put("transaction.state.log.min.isr", isr);
    p.put("transaction.state.log.num.partitions", "3");
    p.put("share.coordinator.state.topic.replication.factor", factor);
    p.put("share.coordinator.state.topic.min.isr", isr);
    p.put("min.insync.replicas", isr);
    p.put("group.initial.rebalance.delay.ms", "0");
    // A gateway has two cores: keep the broker's thread pools small.
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "2");
    p.put("background.threads", "2");
    p.put("num.recovery.threads.per.data.dir", "1");
    p.put("num.replica.fetchers", "1");
    p.put("log.cleaner.threads", "1");
    p.put("auto.create.topics.enable", "false");
    return p;
  }

  private static void format(KafkaConfig config, Path dir) {
    if (Files.exists(dir.resolve("meta.properties"))) {
      return;
    }
    format(config, dir, Uuid.randomUuid().toString());
  }

  /** Formats a node's storage as part of cluster {@code clusterId}. */
  static void format(KafkaConfig config, Path dir, String clusterId) {
    try {
      new Formatter()
          .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
          .setNodeId(config.nodeId())
          .setClusterId(clusterId)
          .setReleaseVersion(MetadataVersion.latestProduction())
          .setControllerListenerName("CONTROLLER")
          .setMetadataLogDirectory(dir.toAbsolutePath().toString())
          .setDirectories(List.of(dir.toAbsolutePath().toString()))
          .setHasDynamicQuorum(false)
          .setIgnoreFormatted(true)
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("Cannot format Kafka storage in " + dir + ": "
          + e.getMessage(), e);
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.warn("Could not delete {}: {}", dir, e.getMessage());
    }
  }
}
