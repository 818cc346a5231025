package io.sluice.topology.spec;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A stream of device messages: an MQTT subscription, or an OPC UA subscription ({@link #opcua}).
 *
 * @param name unique name; records land in the Kafka topic {@code <namespace>.in.<name>}
 * @param topic MQTT topic filter; null for an OPC UA source
 * @param qos MQTT QoS of the subscription
 * @param deviceIdLevel topic level naming the device, -1 for the first {@code +} wildcard
 * @param format how payloads are encoded
 * @param schema what payloads hold
 * @param csv column layout, for {@code format: csv}
 * @param sparkplug host application settings, for {@code format: sparkplug}; null otherwise
 * @param opcua the OPC UA server and nodes, for an OPC UA source; null for MQTT
 */
public record Source(String name, String topic, int qos, int deviceIdLevel, Format format,
    Schema schema, Csv csv, Sparkplug sparkplug, OpcUa opcua) {

  /** An MQTT source of JSON, CSV or Avro payloads. */
  public Source(String name, String topic, int qos, int deviceIdLevel, Format format,
      Schema schema, Csv csv) {
    this(name, topic, qos, deviceIdLevel, format, schema, csv,
        format == Format.SPARKPLUG ? Sparkplug.DEFAULT : null, null);
  }

  /** How a CSV line is laid out: column names in order, and the separator. */
  public record Csv(java.util.List<String> columns, char delimiter) {}

  /** Payload encodings. */
  public enum Format { JSON, CSV, AVRO, SPARKPLUG }

  /** Record types a payload may hold. */
  public enum Schema { TEXT_EVENT, SENSOR_READING }

  public boolean isOpcUa() {
    return opcua != null;
  }

  public boolean isSparkplug() {
    return format == Format.SPARKPLUG;
  }

  /**
   * The gateway as a Sparkplug B host application.
   *
   * @param hostId the Sparkplug host id; when present the gateway is a primary host and
   *     publishes its retained STATE on {@code spBv1.0/STATE/<hostId>}
   * @param rebirthInterval least time between two rebirth requests to one edge node
   */
  public record Sparkplug(Optional<String> hostId, Duration rebirthInterval) {
    public static final Duration DEFAULT_REBIRTH_INTERVAL = Duration.ofSeconds(30);
    public static final Sparkplug DEFAULT = new Sparkplug(Optional.empty(),
        DEFAULT_REBIRTH_INTERVAL);
  }

  /** What to do with a value whose OPC UA status is Bad. */
  public enum BadStatus { DLQ, FLAG }

  /**
   * An OPC UA subscription.
   *
   * @param endpoint {@code opc.tcp://host:port/path}
   * @param securityPolicy None or Basic256Sha256
   * @param securityMode None, Sign or SignAndEncrypt
   * @param certificate PKCS#12 file with the client's certificate and key, for a secure policy
   * @param certificatePassword the PKCS#12 password
   * @param trustDir directory of trusted and rejected server certificates
   * @param nodes what to monitor
   * @param samplingInterval how often the server samples each node
   * @param queueSize values the server queues per node between publishes
   * @param deadband absolute deadband: smaller changes are not reported (0 reports every change)
   * @param badStatus values with a Bad status go to the dead-letter topic or on, flagged
   * @param bufferSize values held while Kafka is slow; past it the subscription pauses
   */
  public record OpcUa(String endpoint, String securityPolicy, String securityMode,
      Optional<String> username, Optional<String> password, Optional<String> certificate,
      Optional<String> certificatePassword, String trustDir, List<OpcUaNode> nodes,
      Duration samplingInterval, int queueSize, double deadband, BadStatus badStatus,
      int bufferSize) {

    @Override
    public String toString() {
      return "OpcUa[endpoint=" + endpoint + ", securityPolicy=" + securityPolicy
          + ", securityMode=" + securityMode + ", username=" + username.orElse("")
          + ", password=" + (password.isPresent() ? "***" : "") + ", nodes=" + nodes.size()
          + "]";
    }
  }

  /**
   * One node to monitor, by node id or by browse path from the Objects folder.
   *
   * @param device device id of its readings; null for the node's parent object's browse name
   * @param metric metric name; null for the node's browse name
   */
  public record OpcUaNode(String nodeId, String browsePath, String device, String metric) {}
}
