package io.sluice.connectors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Every meter the connectors register: name, type, unit and meaning, declared once. */
public enum ConnectorMeters {
  MQTT_RECEIVED("sluice.mqtt.received", "counter", "messages", "MQTT messages received by the ingress"),
  MQTT_RECEIVED_BYTES("sluice.mqtt.received.bytes", "counter", "bytes", "Payload bytes received over MQTT"),
  MQTT_ACKNOWLEDGED("sluice.mqtt.acknowledged", "counter", "messages",
      "MQTT messages acknowledged to the broker after Kafka confirmed them"),
  MQTT_KAFKA_FAILURES("sluice.mqtt.kafka.failures", "counter", "records",
      "Records Kafka refused; their MQTT messages stay with the broker"),
  MQTT_RECONNECTS("sluice.mqtt.reconnects", "counter", "attempts", "MQTT reconnect attempts"),
  MQTT_IN_FLIGHT("sluice.mqtt.in.flight", "gauge", "messages",
      "MQTT messages received and not yet acknowledged (waiting for Kafka)"),
  MQTT_CONNECTED("sluice.mqtt.connected", "gauge", "", "1 while the ingress is connected, else 0");

  private final String meterName;
  private final String type;
  private final String unit;
  private final String description;

  ConnectorMeters(String meterName, String type, String unit, String description) {
    this.meterName = meterName;
    this.type = type;
    this.unit = unit;
    this.description = description;
  }

  public String meterName() {
    return meterName;
  }

  public String type() {
    return type;
  }

  public String unit() {
    return unit;
  }

  public String description() {
    return description;
  }

  public Counter counter(MeterRegistry registry, String... tags) {
    return Counter.builder(meterName).description(description).baseUnit(unit).tags(tags)
        .register(registry);
  }
}
