package io.sluice.connectors.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressFullMessagePolicy;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MQTT broker (MQTT 5 and 3.1.1) inside this JVM, for one-box runs and tests: Apache Artemis
 * with only its MQTT acceptor open.
 *
 * <p>Two modes. In memory (the default): messages keep their per-topic order and none is lost
 * while the process lives, at about 10,000 QoS 1 messages/s; sessions end with the process.
 * Persistent (a journal in a folder): sessions and queued messages survive a broker restart, as
 * with a production broker, at a lower rate. Queues never drop messages: when memory fills, the
 * broker pages to disk (persistent) or blocks publishers (in memory), it does not discard.
 */
public final class EmbeddedMqttBroker implements LocalMqttBroker {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedMqttBroker.class);

  private volatile EmbeddedActiveMQ server;
  private final int port;
  private final Path dataDir;
  private final boolean persistent;
  private final boolean temporary;
  private volatile boolean closed;

  private EmbeddedMqttBroker(EmbeddedActiveMQ server, int port, Path dataDir, boolean persistent,
      boolean temporary) {
    this.server = server;
    this.port = port;
    this.dataDir = dataDir;
    this.persistent = persistent;
    this.temporary = temporary;
  }

  /** An in-memory broker on a free loopback port. */
  public static EmbeddedMqttBroker start() {
    return start(0, null, false);
  }

  /**
   * Starts a broker.
   *
   * @param port loopback port, 0 for a free one
   * @param dataDir folder for the journal; null for a temporary one
   * @param persistent whether sessions and messages survive a broker restart
   */
  public static EmbeddedMqttBroker start(int port, Path dataDir, boolean persistent) {
    boolean temporary = dataDir == null;
    try {
      Path dir = temporary ? Files.createTempDirectory("sluice-mqtt-") : dataDir;
      Files.createDirectories(dir);
      int boundPort = port == 0 ? FreePorts.next() : port;
      EmbeddedActiveMQ server = startServer(boundPort, dir, persistent);
      log.info("Embedded MQTT broker ready at tcp://127.0.0.1:{} ({})", boundPort,
          persistent ? "persistent, journal in " + dir : "in memory");
      return new EmbeddedMqttBroker(server, boundPort, dir, persistent, temporary);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare a folder for the embedded MQTT broker", e);
    }
  }

  private static EmbeddedActiveMQ startServer(int port, Path dir, boolean persistent) {
    try {
      Configuration config = new ConfigurationImpl()
          .setPersistenceEnabled(persistent)
          .setSecurityEnabled(false)
          .setJMXManagementEnabled(false)
          .setJournalType(JournalType.NIO)
          .setJournalDirectory(dir.resolve("journal").toString())
          .setBindingsDirectory(dir.resolve("bindings").toString())
          .setPagingDirectory(dir.resolve("paging").toString())
          .setLargeMessagesDirectory(dir.resolve("large-messages").toString())
          .setNodeManagerLockDirectory(dir.resolve("lock").toString());
      config.addAcceptorConfiguration("mqtt", "tcp://127.0.0.1:" + port
          + "?protocols=MQTT;anycastPrefix=anycast:;multicastPrefix=multicast:");
      // MQTT never dead-letters or expires QoS 1 messages here, but Artemis warns at every new
      // subscription when the addresses are unset: name them.
      config.addAddressSetting("#", new AddressSettings()
          .setAddressFullMessagePolicy(
              persistent ? AddressFullMessagePolicy.PAGE : AddressFullMessagePolicy.BLOCK)
          .setDeadLetterAddress(SimpleString.of("sluice.mqtt.dead-letters"))
          .setExpiryAddress(SimpleString.of("sluice.mqtt.expired")));
      EmbeddedActiveMQ server = new EmbeddedActiveMQ();
      server.setConfiguration(config);
      server.start();
      return server;
    } catch (Exception e) {
      throw new IllegalStateException("Cannot start the embedded MQTT broker on port " + port
          + ": " + e.getMessage(), e);
    }
  }

  @Override
  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  public boolean persistent() {
    return persistent;
  }

  @Override
  public String description() {
    return persistent
        ? "embedded Apache Artemis, journal on (sessions and QoS 1 messages survive restarts)"
        : "embedded Apache Artemis, in memory (sessions end with a restart)";
  }

  /**
   * Stops the broker and starts it again on the same port and journal. Only a persistent broker
   * keeps sessions and queued messages across this.
   */
  @Override
  public synchronized void restart() {
    if (closed) {
      throw new IllegalStateException("The embedded MQTT broker at " + url() + " is closed");
    }
    stopServer();
    server = startServer(port, dataDir, persistent);
    log.info("Embedded MQTT broker at {} restarted", url());
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopServer();
    if (temporary) {
      EmbeddedKafka.deleteRecursively(dataDir);
    }
    log.info("Embedded MQTT broker at {} stopped", url());
  }

  private void stopServer() {
    try {
      server.stop();
    } catch (Exception e) {
      log.warn("Embedded MQTT broker at {} did not stop cleanly: {}", url(), e.getMessage());
    }
  }
}
