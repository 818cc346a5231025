package io.sluice.topology.spec;

/**
 * A stream of device messages.
 *
 * @param name unique name; records land in the Kafka topic {@code <namespace>.in.<name>}
 * @param topic MQTT topic filter
 * @param qos MQTT QoS of the subscription
 * @param deviceIdLevel topic level naming the device, -1 for the first {@code +} wildcard
 * @param format how payloads are encoded
 * @param schema what payloads hold
 * @param csv column layout, for {@code format: csv}
 */
public record Source(String name, String topic, int qos, int deviceIdLevel, Format format,
    Schema schema, Csv csv) {

  /** How a CSV line is laid out: column names in order, and the separator. */
  public record Csv(java.util.List<String> columns, char delimiter) {}

  /** Payload encodings. */
  public enum Format { JSON, CSV, AVRO }

  /** Record types a payload may hold. */
  public enum Schema { TEXT_EVENT, SENSOR_READING }
}
