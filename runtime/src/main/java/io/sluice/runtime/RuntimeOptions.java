package io.sluice.runtime;

import java.nio.file.Path;

/**
 * How to run a topology on this machine, beyond what the topology file says.
 *
 * @param dataDir folder for Kafka Streams state and embedded brokers' data; null for temporary
 *     folders removed at exit
 * @param kafkaPort port of an embedded Kafka broker, 0 for a free one
 * @param mqttPort port of an embedded MQTT broker, 0 for a free one
 * @param baseDir folder of the topology file, for its relative paths; null for bundled files
 */
public record RuntimeOptions(Path dataDir, int kafkaPort, int mqttPort, Path baseDir) {

  public static RuntimeOptions temporary() {
    return new RuntimeOptions(null, 0, 0, null);
  }
}
