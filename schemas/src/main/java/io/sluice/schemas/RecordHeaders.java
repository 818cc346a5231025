package io.sluice.schemas;

/** Names of the Kafka record headers that Sluice's connectors write and its operators read. */
public final class RecordHeaders {

  /** The MQTT topic a message arrived on. */
  public static final String MQTT_TOPIC = "sluice.mqtt.topic";
  /** When the gateway received the message, epoch milliseconds as decimal text. */
  public static final String RECEIVED_AT = "sluice.received-at";
  /** Name of the topology source the message belongs to. */
  public static final String SOURCE = "sluice.source";
  /** Device id derived from the MQTT topic. */
  public static final String DEVICE_ID = "sluice.device-id";
  /**
   * The MQTT topic an alert record is to be published to, UTF-8 text; the router writes it on
   * {@code <ns>.alerts} records and the MQTT egress reads it.
   */
  public static final String MQTT_TARGET = "sluice.mqtt.target";

  private RecordHeaders() {}
}
