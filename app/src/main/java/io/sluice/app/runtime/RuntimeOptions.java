package io.sluice.app.runtime;

import java.nio.file.Path;

/**
 * How to run a topology on this machine, beyond what the topology file says.
 *
 * @param dataDir folder for Kafka Streams state and embedded brokers' data; null for temporary
 *     folders removed at exit
 * @param kafkaPort port of an embedded Kafka broker, 0 for a free one
 * @param mqttPort port of an embedded MQTT broker, 0 for a free one
 */
public record RuntimeOptions(Path dataDir, int kafkaPort, int mqttPort) {

  public static RuntimeOptions temporary() {
    return new RuntimeOptions(null, 0, 0);
  }
}
