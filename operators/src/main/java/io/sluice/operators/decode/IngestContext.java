package io.sluice.operators.decode;

import java.time.Instant;

/**
 * Where a payload came from, for ids, defaults and dead letters.
 *
 * @param source topology source name
 * @param deviceId device id from the Kafka key (derived from the MQTT topic), or null
 * @param topic Kafka topic the payload was read from
 * @param partition its partition
 * @param offset its offset
 * @param receivedAt when the gateway received it (the record timestamp if unknown)
 */
public record IngestContext(String source, String deviceId, String topic, int partition,
    long offset, Instant receivedAt) {

  /** The event id used when the payload carries none: stable across re-processing. */
  public String derivedEventId() {
    return source + "-" + partition + "-" + offset;
  }
}
