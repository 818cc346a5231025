package io.sluice.operators.decode;

import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.DeadLetterType;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.PipelineRecord;
import io.sluice.schemas.RecordKind;
import io.sluice.schemas.SensorReading;
import io.sluice.schemas.TextEvent;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Decodes Avro single-object encoded {@link TextEvent}s or {@link SensorReading}s (any version
 * Sluice ships a schema for). The device's own source name and event id are kept when set; an
 * unknown schema fingerprint or a truncated record goes to the dead letters with the reason.
 */
public final class AvroPayloadDecoder implements PayloadDecoder {

  private final EventSchema schema;
  private final long maxBytes;
  private final Deserializer<TextEvent> texts = AvroSerdes.textEvent().deserializer();
  private final Deserializer<SensorReading> readings = AvroSerdes.sensorReading().deserializer();

  public AvroPayloadDecoder(EventSchema schema, long maxBytes) {
    this.schema = schema;
    this.maxBytes = maxBytes;
  }

  @Override
  public PipelineRecord decode(byte[] payload, IngestContext context) throws DecodeException {
    if (payload == null || payload.length == 0) {
      throw new DecodeException(DeadLetterType.MALFORMED, "empty payload");
    }
    if (payload.length > maxBytes) {
      throw new DecodeException(DeadLetterType.OVERSIZED, "payload is " + payload.length
          + " bytes, more than the limit of " + maxBytes + " (limits.maxPayloadBytes)");
    }
    if (payload.length < 10 || payload[0] != (byte) 0xC3 || payload[1] != (byte) 0x01) {
      throw new DecodeException(DeadLetterType.MALFORMED,
          "not Avro single-object encoding (it starts with the marker C3 01 and an 8-byte"
              + " schema fingerprint)");
    }
    InferenceResult.Builder result = InferenceResult.newBuilder().setRoute("local");
    try {
      if (schema == EventSchema.TEXT_EVENT) {
        TextEvent e = texts.deserialize(context.topic(), payload);
        if (e.getText().isBlank()) {
          throw new DecodeException(DeadLetterType.SCHEMA_VIOLATION, "field 'text' is empty");
        }
        result.setEventId(orDefault(e.getEventId(), context.derivedEventId()))
            .setDeviceId(orDefault(e.getDeviceId(), deviceOf(context)))
            .setTimestamp(e.getTimestamp()).setRestricted(e.getRestricted())
            .setKind(RecordKind.TEXT).setText(e.getText())
            .setAttributes(new LinkedHashMap<>(e.getAttributes()));
      } else {
        SensorReading r = readings.deserialize(context.topic(), payload);
        if (!Double.isFinite(r.getValue())) {
          throw new DecodeException(DeadLetterType.WRONG_TYPE,
              "field 'value' must be a finite number, got " + r.getValue());
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        if (r.getUnit() != null) {
          attributes.put("unit", r.getUnit());
        }
        result.setEventId(orDefault(r.getEventId(), context.derivedEventId()))
            .setDeviceId(orDefault(r.getDeviceId(), deviceOf(context)))
            .setTimestamp(r.getTimestamp()).setRestricted(r.getRestricted())
            .setKind(RecordKind.SENSOR).setMetric(r.getMetric()).setValue(r.getValue())
            .setAttributes(attributes);
      }
    } catch (SerializationException e) {
      throw new DecodeException(DeadLetterType.SCHEMA_VIOLATION, e.getMessage());
    }
    result.setSource(context.source());
    return PipelineRecord.newBuilder().setResult(result.build())
        .setPayload(ByteBuffer.wrap(payload)).build();
  }

  private static String deviceOf(IngestContext context) {
    return context.deviceId() == null ? "unknown" : context.deviceId();
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }
}
