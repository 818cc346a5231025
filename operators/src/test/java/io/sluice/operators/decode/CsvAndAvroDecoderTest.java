package io.sluice.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.DeadLetterType;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.RecordKind;
import io.sluice.schemas.SensorReading;
import io.sluice.schemas.TextEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CsvAndAvroDecoderTest {

  static final IngestContext CONTEXT = JsonPayloadDecoderTest.CONTEXT;

  final CsvPayloadDecoder csv = new CsvPayloadDecoder(EventSchema.SENSOR_READING,
      List.of("deviceId", "metric", "value", "timestamp", "unit"), ',', 1024);

  @Test
  void csvLineBecomesAReadingWithTypedColumns() throws Exception {
    InferenceResult r = csv.decode(bytes("pump-2,pressure,6.25,1700000000000,bar"), CONTEXT)
        .getResult();
    assertThat(r.getKind()).isEqualTo(RecordKind.SENSOR);
    assertThat(r.getDeviceId()).isEqualTo("pump-2");
    assertThat(r.getMetric()).isEqualTo("pressure");
    assertThat(r.getValue()).isEqualTo(6.25);
    assertThat(r.getTimestamp()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
    assertThat(r.getAttributes()).containsEntry("unit", "bar");
  }

  @Test
  void quotedCsvFieldsKeepTheirSeparators() throws Exception {
    CsvPayloadDecoder notes = new CsvPayloadDecoder(EventSchema.TEXT_EVENT,
        List.of("eventId", "text"), ',', 1024);
    InferenceResult r = notes.decode(bytes("n-1,\"pump 3, bearing noise\""), CONTEXT)
        .getResult();
    assertThat(r.getEventId()).isEqualTo("n-1");
    assertThat(r.getText()).isEqualTo("pump 3, bearing noise");
  }

  @Test
  void csvMistakesNameTheColumn() {
    assertThatThrownBy(() -> csv.decode(bytes("pump-2,pressure,high,1700000000000,bar"),
        CONTEXT)).isInstanceOfSatisfying(DecodeException.class, e -> {
          assertThat(e.type()).isEqualTo(DeadLetterType.WRONG_TYPE);
          assertThat(e.getMessage()).contains("field 'value' must be a number");
        });
    assertThatThrownBy(() -> csv.decode(bytes("pump-2,,,,"), CONTEXT))
        .isInstanceOfSatisfying(DecodeException.class,
            e -> assertThat(e.type()).isEqualTo(DeadLetterType.MISSING_FIELD));
    assertThatThrownBy(() -> csv.decode(bytes("a,b\nc,d"), CONTEXT))
        .isInstanceOfSatisfying(DecodeException.class,
            e -> assertThat(e.getMessage()).contains("one CSV line"));
  }

  @Test
  void avroTextEventsAndReadingsDecode() throws Exception {
    byte[] text = AvroSerdes.textEvent().serializer().serialize("t", TextEvent.newBuilder()
        .setEventId("a-1").setSource("device-side").setDeviceId("lathe-1")
        .setTimestamp(Instant.ofEpochMilli(5)).setText("spindle noise")
        .setAttributes(Map.of("shift", "night")).build());
    InferenceResult t = new AvroPayloadDecoder(EventSchema.TEXT_EVENT, 1024)
        .decode(text, CONTEXT).getResult();
    assertThat(t.getText()).isEqualTo("spindle noise");
    assertThat(t.getSource()).isEqualTo("notes");
    assertThat(t.getDeviceId()).isEqualTo("lathe-1");
    assertThat(t.getAttributes()).containsEntry("shift", "night");

    byte[] reading = AvroSerdes.sensorReading().serializer().serialize("t",
        SensorReading.newBuilder().setEventId("r-1").setSource("s").setDeviceId("d")
            .setTimestamp(Instant.ofEpochMilli(9)).setMetric("rpm").setValue(1200).build());
    InferenceResult r = new AvroPayloadDecoder(EventSchema.SENSOR_READING, 1024)
        .decode(reading, CONTEXT).getResult();
    assertThat(r.getValue()).isEqualTo(1200.0);
  }

  @Test
  void avroOfTheWrongSchemaOrNoAvroAtAllIsADeadLetter() {
    byte[] reading = AvroSerdes.sensorReading().serializer().serialize("t",
        SensorReading.newBuilder().setEventId("r-1").setSource("s").setDeviceId("d")
            .setTimestamp(Instant.ofEpochMilli(9)).setMetric("rpm").setValue(1200).build());
    AvroPayloadDecoder texts = new AvroPayloadDecoder(EventSchema.TEXT_EVENT, 1024);
    assertThatThrownBy(() -> texts.decode(reading, CONTEXT))
        .isInstanceOfSatisfying(DecodeException.class, e -> {
          assertThat(e.type()).isEqualTo(DeadLetterType.SCHEMA_VIOLATION);
          assertThat(e.getMessage()).contains("io.sluice.schemas.TextEvent");
        });
    assertThatThrownBy(() -> texts.decode(bytes("{\"text\":\"json\"}"), CONTEXT))
        .isInstanceOfSatisfying(DecodeException.class, e -> {
          assertThat(e.type()).isEqualTo(DeadLetterType.MALFORMED);
          assertThat(e.getMessage()).contains("single-object");
        });
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
