package io.sluice.connectors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;

/** Every meter the connectors register: name, type, unit and meaning, declared once. */
public enum ConnectorMeters {
  OPCUA_VALUES("sluice.opcua.values", "counter", "values",
      "OPC UA value changes received, by source"),
  OPCUA_WRITTEN("sluice.opcua.written", "counter", "records",
      "OPC UA readings Kafka confirmed, by source"),
  OPCUA_DEAD_LETTERS("sluice.opcua.dead.letters", "counter", "values",
      "OPC UA values sent to the dead-letter topic (bad status, not a number), by source and"
          + " reason"),
  OPCUA_DROPPED("sluice.opcua.dropped", "counter", "values",
      "OPC UA values dropped because the buffer was full while Kafka was slow (the"
          + " subscription is paused then), by source"),
  OPCUA_BUFFERED("sluice.opcua.buffered", "gauge", "values",
      "OPC UA values waiting to be written to Kafka, by source"),
  OPCUA_RECONNECTS("sluice.opcua.reconnects", "counter", "attempts",
      "OPC UA connection attempts and subscription recreations after a failure, by source"),
  OPCUA_SUBSCRIBED("sluice.opcua.subscribed", "gauge", "state",
      "1 while the OPC UA subscription is live, by source"),
  MQTT_RECEIVED("sluice.mqtt.received", "counter", "messages", "MQTT messages received by the ingress"),
  MQTT_RECEIVED_BYTES("sluice.mqtt.received.bytes", "counter", "bytes", "Payload bytes received over MQTT"),
  MQTT_ACKNOWLEDGED("sluice.mqtt.acknowledged", "counter", "messages",
      "MQTT messages acknowledged to the broker after Kafka confirmed them"),
  MQTT_KAFKA_FAILURES("sluice.mqtt.kafka.failures", "counter", "records",
      "Records Kafka refused; their MQTT messages stay with the broker"),
  RELAY_PERMANENT_ERRORS("sluice.relay.permanent.errors", "counter", "errors",
      "Records a relay could never write (over the size limit, or refused by Kafka or the broker"
          + " for good), sent to the dead-letter topic instead, by relay and reason"),
  MQTT_RECONNECTS("sluice.mqtt.reconnects", "counter", "attempts",
      "MQTT reconnect attempts of a connector (tag client: ingress or egress client id)"),
  MQTT_IN_FLIGHT("sluice.mqtt.in.flight", "gauge", "messages",
      "MQTT messages received and not yet acknowledged (waiting for Kafka)"),
  MQTT_CONNECTED("sluice.mqtt.connected", "gauge", "",
      "1 while the connector (tag client) is connected to its MQTT broker, else 0"),
  MQTT_EGRESS_PUBLISHED("sluice.mqtt.egress.published", "counter", "messages",
      "Records published over MQTT at QoS 1 and acknowledged by the broker"),
  MQTT_EGRESS_SKIPPED("sluice.mqtt.egress.skipped", "counter", "records",
      "Records not published (tag reason: no-target, or the broker's refusal); never retried"),
  MQTT_EGRESS_FAILURES("sluice.mqtt.egress.failures", "counter", "failures",
      "Publishes that failed; the egress publishes again from the first unacknowledged record"),
  MQTT_EGRESS_IN_FLIGHT("sluice.mqtt.egress.in.flight", "gauge", "records",
      "Records read from Kafka and not yet acknowledged by the MQTT broker"),
  MQTT_EGRESS_BACKLOG("sluice.mqtt.egress.backlog", "gauge", "records",
      "Records in the alerts topic not yet acknowledged by the MQTT broker (estimate)"),
  LINK_RECORDS("sluice.link.records", "counter", "records",
      "Records a cloud link route moved and the target cluster acknowledged (tag route)"),
  LINK_BYTES("sluice.link.bytes", "counter", "bytes",
      "Key and value bytes a route moved, before compression; compare with"
          + " sluice.mqtt.received.bytes (tag route)"),
  LINK_SKIPPED("sluice.link.skipped", "counter", "records",
      "Records the target refused for good (too large), passed over (tag route)"),
  LINK_FAILURES("sluice.link.failures", "counter", "failures",
      "Failed sends of a route; each is followed by a rewind and a retry after a backoff"),
  LINK_REWINDS("sluice.link.rewinds", "counter", "rewinds",
      "Times a route went back to its first unacknowledged record (duplicates possible)"),
  LINK_EXPIRED("sluice.link.expired", "counter", "records",
      "Records deleted by the source topic's retention before the route moved them (lost)"),
  LINK_UP("sluice.link.up", "gauge", "", "1 while a route is UP, 0 while DOWN (tag route)"),
  LINK_BACKLOG("sluice.link.backlog", "gauge", "records",
      "Records in a route's source topic not yet acknowledged by the target (tag route)"),
  LINK_CLUSTER_REACHABLE("sluice.link.cluster.reachable", "gauge", "",
      "1 while the link reaches a Kafka cluster, else 0 (tag cluster)");

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

  /** Registers this gauge, reading {@code value} of {@code target} (held weakly by Micrometer). */
  public <T> Gauge gauge(MeterRegistry registry, T target, ToDoubleFunction<T> value,
      String... tags) {
    Gauge.Builder<T> builder = Gauge.builder(meterName, target, value).description(description)
        .tags(tags);
    if (!unit.isEmpty()) {
      builder.baseUnit(unit);
    }
    return builder.register(registry);
  }
}
