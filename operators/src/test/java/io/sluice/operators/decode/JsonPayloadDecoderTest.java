package io.sluice.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.schemas.DeadLetterType;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.PipelineRecord;
import io.sluice.schemas.RecordKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JsonPayloadDecoderTest {

  static final IngestContext CONTEXT = new IngestContext("notes", "press-4", "sluice.in.notes", 2,
      117, Instant.parse("2026-11-22T08:00:00Z"));

  final JsonPayloadDecoder text = new JsonPayloadDecoder(EventSchema.TEXT_EVENT, 1024);
  final JsonPayloadDecoder sensor = new JsonPayloadDecoder(EventSchema.SENSOR_READING, 1024);

  @Test
  void decodesATextEventWithDefaultsFromTheContext() throws Exception {
    PipelineRecord record = text.decode(bytes("{\"text\":\"breaker tripped on line 3\","
        + "\"shift\":\"night\",\"crew\":4}"), CONTEXT);
    InferenceResult r = record.getResult();
    assertThat(r.getKind()).isEqualTo(RecordKind.TEXT);
    assertThat(r.getText()).isEqualTo("breaker tripped on line 3");
    assertThat(r.getEventId()).isEqualTo("notes-2-117");
    assertThat(r.getDeviceId()).isEqualTo("press-4");
    assertThat(r.getSource()).isEqualTo("notes");
    assertThat(r.getTimestamp()).isEqualTo(CONTEXT.receivedAt());
    assertThat(r.getRestricted()).isFalse();
    assertThat(r.getAttributes()).containsEntry("shift", "night").containsEntry("crew", "4")
        .doesNotContainKey("text");
    assertThat(new String(record.getPayload().array(), StandardCharsets.UTF_8))
        .contains("breaker tripped");
  }

  @Test
  void payloadFieldsOverrideTheContext() throws Exception {
    InferenceResult r = text.decode(bytes("{\"eventId\":\"e-9\",\"deviceId\":\"lathe-2\","
        + "\"timestamp\":\"2026-11-21T10:00:00Z\",\"restricted\":true,\"text\":\"x\"}"), CONTEXT)
        .getResult();
    assertThat(r.getEventId()).isEqualTo("e-9");
    assertThat(r.getDeviceId()).isEqualTo("lathe-2");
    assertThat(r.getTimestamp()).isEqualTo(Instant.parse("2026-11-21T10:00:00Z"));
    assertThat(r.getRestricted()).isTrue();
  }

  @Test
  void decodesASensorReadingWithEpochMillis() throws Exception {
    InferenceResult r = sensor.decode(bytes("{\"metric\":\"temperature\",\"value\":71.5,"
        + "\"unit\":\"C\",\"ts\":1700000000000}"), CONTEXT).getResult();
    assertThat(r.getKind()).isEqualTo(RecordKind.SENSOR);
    assertThat(r.getMetric()).isEqualTo("temperature");
    assertThat(r.getValue()).isEqualTo(71.5);
    assertThat(r.getTimestamp()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
    assertThat(r.getAttributes()).containsEntry("unit", "C");
  }

  @Test
  void emptyPayloadIsMalformed() {
    assertFails(text, new byte[0], DeadLetterType.MALFORMED, "empty payload");
  }

  @Test
  void oversizedPayloadNamesTheLimit() {
    byte[] big = bytes("{\"text\":\"" + "a".repeat(2000) + "\"}");
    assertFails(text, big, DeadLetterType.OVERSIZED, "more than the limit of 1024");
  }

  @Test
  void invalidUtf8NamesTheOffset() {
    byte[] bad = {'{', '"', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    assertFails(text, bad, DeadLetterType.INVALID_UTF8, "offset 6");
  }

  @Test
  void brokenJsonIsMalformedWithItsPosition() {
    assertFails(text, bytes("{\"text\": \"unterminated}"), DeadLetterType.MALFORMED,
        "not valid JSON");
    assertFails(text, bytes("{\"text\":\"a\"} trailing"), DeadLetterType.MALFORMED,
        "not valid JSON");
  }

  @Test
  void duplicateKeysAreMalformed() {
    assertFails(text, bytes("{\"text\":\"a\",\"text\":\"b\"}"), DeadLetterType.MALFORMED,
        "Duplicate field 'text'");
  }

  @Test
  void nonObjectViolatesTheSchema() {
    assertFails(text, bytes("[1,2,3]"), DeadLetterType.SCHEMA_VIOLATION,
        "expected a JSON object, got array");
  }

  @Test
  void missingFieldsAreNamed() {
    assertFails(text, bytes("{\"note\":\"x\"}"), DeadLetterType.MISSING_FIELD,
        "missing required field 'text'");
    assertFails(sensor, bytes("{\"metric\":\"rpm\"}"), DeadLetterType.MISSING_FIELD,
        "missing required field 'value' (a number)");
  }

  @Test
  void wrongTypesNameFieldExpectedAndActual() {
    assertFails(sensor, bytes("{\"metric\":\"rpm\",\"value\":\"fast\"}"),
        DeadLetterType.WRONG_TYPE, "field 'value' must be a number, got a string \"fast\"");
    assertFails(text, bytes("{\"text\":42}"), DeadLetterType.WRONG_TYPE,
        "field 'text' must be a string, got a number 42");
    assertFails(text, bytes("{\"text\":\"x\",\"restricted\":\"yes\"}"),
        DeadLetterType.WRONG_TYPE, "field 'restricted' must be true or false");
    assertFails(text, bytes("{\"text\":\"x\",\"timestamp\":\"yesterday\"}"),
        DeadLetterType.WRONG_TYPE, "ISO-8601");
  }

  @Test
  void blankTextViolatesTheSchema() {
    assertFails(text, bytes("{\"text\":\"   \"}"), DeadLetterType.SCHEMA_VIOLATION,
        "field 'text' is empty");
  }

  private static void assertFails(PayloadDecoder decoder, byte[] payload, DeadLetterType type,
      String reason) {
    assertThatThrownBy(() -> decoder.decode(payload, CONTEXT))
        .isInstanceOfSatisfying(DecodeException.class, e -> {
          assertThat(e.type()).isEqualTo(type);
          assertThat(e.getMessage()).contains(reason);
        });
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
