package io.sluice.schemas;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;

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
  /** Header of a poison record's dead letter: the size of its payload in bytes. */
  public static final String PAYLOAD_SIZE = "sluice.payload.size";
  /** Header of a poison record's dead letter: "true" when only its first bytes were kept. */
  public static final String PAYLOAD_TRUNCATED = "sluice.payload.truncated";

  private RecordHeaders() {}

  /**
   * Writes the headers an ingested message carries: its MQTT topic (when there is one), when it
   * was received, its source and its device id. The MQTT ingress and the test driver both stamp
   * records through here, so the decoder reads what they write.
   *
   * @param mqttTopic the topic it arrived on, or null when it did not come over MQTT
   */
  public static Headers stampIngested(Headers headers, String mqttTopic, long receivedAtMillis,
      String source, String deviceId) {
    if (mqttTopic != null) {
      headers.add(new RecordHeader(MQTT_TOPIC, utf8(mqttTopic)));
    }
    return headers
        .add(new RecordHeader(RECEIVED_AT, utf8(Long.toString(receivedAtMillis))))
        .add(new RecordHeader(SOURCE, utf8(source)))
        .add(new RecordHeader(DEVICE_ID, utf8(deviceId)));
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
