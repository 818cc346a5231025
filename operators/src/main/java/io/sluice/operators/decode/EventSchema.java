package io.sluice.operators.decode;

/** The record types a source's payloads may hold. */
public enum EventSchema {
  /** Text: {@code text} required; {@code eventId}, {@code deviceId}, {@code timestamp}, {@code restricted} optional. */
  TEXT_EVENT,
  /** A reading: {@code metric} and {@code value} required; {@code unit} and the rest optional. */
  SENSOR_READING
}
