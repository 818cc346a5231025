package io.sluice.lab.soak.internal;

import io.sluice.connectors.embedded.EmbeddedKafka;
import io.sluice.connectors.embedded.EmbeddedMqttBroker;
import io.sluice.connectors.embedded.FreePorts;
import io.sluice.connectors.embedded.LocalMqttBroker;
import io.sluice.connectors.embedded.MosquittoBroker;
import io.sluice.lab.soak.SoakSettings;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The brokers a soak run owns, each keeping its data in the run's folder so that a restart finds
 * it again: the MQTT broker (Mosquitto as a child process when installed, with
 * {@code persistence true} and {@code max_queued_messages 0}; else Artemis in this process with
 * its journal on), the gateway's Kafka, and the cloud's Kafka, which a link cut stops and starts
 * again on the same port and data folder.
 */
public final class SoakBrokers implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SoakBrokers.class);

  private final LocalMqttBroker mqtt;
  private final EmbeddedKafka gatewayKafka;
  private final Path cloudDir;
  private final int cloudPort;
  private volatile EmbeddedKafka cloudKafka;

  private SoakBrokers(LocalMqttBroker mqtt, EmbeddedKafka gatewayKafka, EmbeddedKafka cloudKafka,
      Path cloudDir, int cloudPort) {
    this.mqtt = mqtt;
    this.gatewayKafka = gatewayKafka;
    this.cloudKafka = cloudKafka;
    this.cloudDir = cloudDir;
    this.cloudPort = cloudPort;
  }

  public static SoakBrokers start(Path dir, SoakSettings.Broker choice) {
    LocalMqttBroker mqtt = null;
    EmbeddedKafka gateway = null;
    try {
      mqtt = startMqtt(dir.resolve("mqtt"), choice);
      gateway = EmbeddedKafka.start(dir.resolve("gateway-kafka"), 0);
      int cloudPort = FreePorts.next();
      EmbeddedKafka cloud = EmbeddedKafka.start(dir.resolve("cloud-kafka"), cloudPort);
      return new SoakBrokers(mqtt, gateway, cloud, dir.resolve("cloud-kafka"), cloudPort);
    } catch (RuntimeException e) {
      if (gateway != null) {
        gateway.close();
      }
      if (mqtt != null) {
        mqtt.close();
      }
      throw e;
    }
  }

  private static LocalMqttBroker startMqtt(Path dir, SoakSettings.Broker choice) {
    boolean mosquitto = switch (choice) {
      case MOSQUITTO -> {
        if (MosquittoBroker.binary().isEmpty()) {
          throw new IllegalStateException("--broker mosquitto, but Mosquitto is not installed"
              + " (apt-get install -y mosquitto)");
        }
        yield true;
      }
      case ARTEMIS -> false;
      case AUTO -> MosquittoBroker.binary().isPresent();
    };
    return mosquitto ? MosquittoBroker.start(dir, 0) : EmbeddedMqttBroker.start(0, dir, true);
  }

  public LocalMqttBroker mqtt() {
    return mqtt;
  }

  public String gatewayBootstrap() {
    return gatewayKafka.bootstrapServers();
  }

  public String cloudBootstrap() {
    return "127.0.0.1:" + cloudPort;
  }

  public void restartMqtt() {
    mqtt.restart();
  }

  /** Stops the cloud's Kafka: the cloud link finds nobody there. */
  public synchronized void cutCloud() {
    if (cloudKafka != null) {
      cloudKafka.close();
      cloudKafka = null;
      log.info("Cloud Kafka at {} stopped (link cut)", cloudBootstrap());
    }
  }

  /** Starts the cloud's Kafka again on the same port and data folder. */
  public synchronized void restoreCloud() {
    if (cloudKafka == null) {
      cloudKafka = EmbeddedKafka.start(cloudDir, cloudPort);
      log.info("Cloud Kafka at {} started again (link restored)", cloudBootstrap());
    }
  }

  public boolean cloudUp() {
    return cloudKafka != null;
  }

  @Override
  public synchronized void close() {
    RuntimeException failure = null;
    for (AutoCloseable c : new AutoCloseable[] {mqtt, cloudKafka, gatewayKafka}) {
      if (c == null) {
        continue;
      }
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("Could not stop the soak's brokers cleanly", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    cloudKafka = null;
    if (failure != null) {
      throw failure;
    }
  }
}
