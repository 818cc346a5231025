package io.sluice.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class AvroSerdesTest {

  @Test
  void roundTripsEveryRecordType() {
    TextEvent text = TextEvent.newBuilder()
        .setEventId("e-1").setSource("notes").setDeviceId("line-7")
        .setTimestamp(Instant.ofEpochMilli(1_700_000_000_000L))
        .setText("bearing noise on pump 3").setRestricted(true)
        .setAttributes(Map.of("shift", "night")).build();
    assertRoundTrip(AvroSerdes.textEvent(), text);

    SensorReading reading = SensorReading.newBuilder()
        .setEventId("e-2").setSource("sensors").setDeviceId("pump-3")
        .setTimestamp(Instant.ofEpochMilli(1_700_000_000_500L))
        .setMetric("temperature").setValue(71.5).setUnit("C").build();
    assertRoundTrip(AvroSerdes.sensorReading(), reading);

    InferenceResult result = InferenceResult.newBuilder()
        .setEventId("e-1").setSource("notes").setDeviceId("line-7")
        .setTimestamp(Instant.ofEpochMilli(1_700_000_000_000L)).setKind(RecordKind.TEXT)
        .setLabel("mechanical").setConfidence(0.93).setNovelty(0.12)
        .setFields(List.of(ExtractedField.newBuilder().setName("equipment").setValue("pump 3")
            .setConfidence(0.8).setStart(18).setEnd(24).build()))
        .setModel(ModelRef.newBuilder().setName("all-minilm-l6-v2-q").setVersion("1").build())
        .setRoute("local").setText("bearing noise on pump 3").build();
    assertRoundTrip(AvroSerdes.inferenceResult(), result);

    ForwardedRecord forwarded = ForwardedRecord.newBuilder()
        .setEventId("e-1").setSource("notes").setGateway("line-7")
        .setReason(ForwardReason.LOW_CONFIDENCE).setResult(result)
        .setPayload(ByteBuffer.wrap("{\"text\":\"x\"}".getBytes()))
        .setForwardedAt(Instant.ofEpochMilli(1_700_000_001_000L)).build();
    assertRoundTrip(AvroSerdes.forwardedRecord(), forwarded);

    DeadLetter dead = DeadLetter.newBuilder()
        .setRaw(ByteBuffer.wrap(new byte[] {(byte) 0xff, 0x00})).setSourceTopic("sluice.in.notes")
        .setPartition(0).setOffset(42).setErrorType(DeadLetterType.INVALID_UTF8)
        .setReason("payload is not valid UTF-8 at byte 0")
        .setFailedAt(Instant.ofEpochMilli(1_700_000_002_000L)).build();
    assertRoundTrip(AvroSerdes.deadLetter(), dead);

    SensorWindowSummary summary = SensorWindowSummary.newBuilder()
        .setSource("sensors").setDeviceId("pump-3").setMetric("temperature")
        .setWindowStart(Instant.ofEpochMilli(1_700_000_000_000L))
        .setWindowEnd(Instant.ofEpochMilli(1_700_000_060_000L))
        .setCount(12).setAnomalies(1).setMin(70.0).setMax(72.5).setMean(71.2).setStd(0.6).build();
    assertRoundTrip(AvroSerdes.sensorWindowSummary(), summary);
  }

  @Test
  void everyMessageCarriesTheSingleObjectMarkerAndFingerprint() {
    byte[] bytes = AvroSerdes.sensorReading().serializer().serialize("t",
        SensorReading.newBuilder().setEventId("e").setSource("s").setDeviceId("d")
            .setTimestamp(Instant.EPOCH).setMetric("m").setValue(1).build());
    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    long fingerprint = ByteBuffer.wrap(bytes, 2, 8)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(fingerprint).isEqualTo(AvroSerdes.fingerprint(SensorReading.getClassSchema()));
  }

  @Test
  void readsDataWrittenWithTheOlderTextEventSchema() throws IOException {
    Schema v1;
    try (InputStream in = getClass().getResourceAsStream("/io/sluice/schemas/history/TextEvent-v1.avsc")) {
      v1 = new Schema.Parser().parse(in);
    }
    assertThat(AvroSerdes.fingerprint(v1))
        .isNotEqualTo(AvroSerdes.fingerprint(TextEvent.getClassSchema()));
    GenericRecord old = new GenericData.Record(v1);
    old.put("eventId", "old-1");
    old.put("source", "notes");
    old.put("deviceId", "line-2");
    old.put("timestamp", 1_600_000_000_000L);
    old.put("text", "written by a gateway before restricted and attributes existed");
    ByteBuffer written = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old);
    byte[] bytes = new byte[written.remaining()];
    written.get(bytes);

    TextEvent read = AvroSerdes.textEvent().deserializer().deserialize("t", bytes);

    assertThat(read.getEventId()).isEqualTo("old-1");
    assertThat(read.getText()).startsWith("written by a gateway");
    assertThat(read.getTimestamp()).isEqualTo(Instant.ofEpochMilli(1_600_000_000_000L));
    assertThat(read.getRestricted()).isFalse();
    assertThat(read.getAttributes()).isEmpty();
  }

  @Test
  void unknownWriterSchemaGivesAClearError() {
    byte[] bytes = AvroSerdes.sensorReading().serializer().serialize("t",
        SensorReading.newBuilder().setEventId("e").setSource("s").setDeviceId("d")
            .setTimestamp(Instant.EPOCH).setMetric("m").setValue(1).build());
    assertThatThrownBy(() -> AvroSerdes.textEvent().deserializer().deserialize("sluice.results", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("sluice.results")
        .hasMessageContaining("io.sluice.schemas.TextEvent");
  }

  @Test
  void garbageIsRejectedWithTheTopicName() {
    assertThatThrownBy(() -> AvroSerdes.deadLetter().deserializer()
        .deserialize("sluice.dlq", "{not avro}".getBytes()))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("sluice.dlq");
  }

  private static <T> void assertRoundTrip(Serde<T> serde, T value) {
    byte[] bytes = serde.serializer().serialize("topic", value);
    assertThat(serde.deserializer().deserialize("topic", bytes)).isEqualTo(value);
  }
}
