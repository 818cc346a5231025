package io.sluice.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serdes for Sluice's Avro records in Avro single-object encoding: every message starts with
 * the two marker bytes and the 64-bit fingerprint of the schema that wrote it, so a reader finds
 * the writer's schema and resolves it against its own. Older versions of our schemas ship as
 * resources under {@code io/sluice/schemas/history/} and are known to every decoder, so data
 * written by an older gateway stays readable after an upgrade.
 */
public final class AvroSerdes {

  private static final String HISTORY = "/io/sluice/schemas/history/";
  private static final List<Schema> HISTORICAL_SCHEMAS = loadHistory();

  static {
    AvroTrust.install();
  }

  private AvroSerdes() {}

  public static Serde<TextEvent> textEvent() {
    return of(TextEvent.class, TextEvent.getClassSchema());
  }

  public static Serde<SensorReading> sensorReading() {
    return of(SensorReading.class, SensorReading.getClassSchema());
  }

  public static Serde<InferenceResult> inferenceResult() {
    return of(InferenceResult.class, InferenceResult.getClassSchema());
  }

  public static Serde<ForwardedRecord> forwardedRecord() {
    return of(ForwardedRecord.class, ForwardedRecord.getClassSchema());
  }

  public static Serde<PipelineRecord> pipelineRecord() {
    return of(PipelineRecord.class, PipelineRecord.getClassSchema());
  }

  public static Serde<SensorWindowSummary> sensorWindowSummary() {
    return of(SensorWindowSummary.class, SensorWindowSummary.getClassSchema());
  }

  public static Serde<Feedback> feedback() {
    return of(Feedback.class, Feedback.getClassSchema());
  }

  public static Serde<DeadLetter> deadLetter() {
    return of(DeadLetter.class, DeadLetter.getClassSchema());
  }

  /** A serde for any generated record class, reading every historical version we ship. */
  public static <T extends SpecificRecord> Serde<T> of(Class<T> type, Schema schema) {
    SchemaStore.Cache store = new SchemaStore.Cache();
    for (Schema old : HISTORICAL_SCHEMAS) {
      if (old.getFullName().equals(schema.getFullName())) {
        store.addSchema(old);
      }
    }
    return of(type, schema, store);
  }

  /** A serde whose decoder also knows the writer schemas in {@code store}. */
  public static <T extends SpecificRecord> Serde<T> of(
      Class<T> type, Schema schema, SchemaStore store) {
    SpecificData model = SpecificData.getForClass(type);
    BinaryMessageEncoder<T> encoder = new BinaryMessageEncoder<>(model, schema);
    BinaryMessageDecoder<T> decoder = new BinaryMessageDecoder<>(model, schema, store);
    Serializer<T> serializer = (topic, value) -> value == null ? null : encode(encoder, value);
    Deserializer<T> deserializer =
        (topic, bytes) -> bytes == null ? null : decode(decoder, schema, topic, bytes);
    return Serdes.serdeFrom(serializer, deserializer);
  }

  /** The 64-bit Rabin fingerprint that single-object encoding writes for {@code schema}. */
  public static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  private static <T> byte[] encode(BinaryMessageEncoder<T> encoder, T value) {
    try {
      ByteBuffer buffer = encoder.encode(value);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new SerializationException("Cannot encode " + value.getClass().getSimpleName(), e);
    }
  }

  private static <T> T decode(
      BinaryMessageDecoder<T> decoder, Schema readerSchema, String topic, byte[] bytes) {
    try {
      return decoder.decode(bytes);
    } catch (MissingSchemaException e) {
      throw new SerializationException(
          "Record on topic '" + topic + "' was written with a schema this process does not know"
              + " (expected " + readerSchema.getFullName() + " or one of its older versions): "
              + e.getMessage());
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "Record on topic '" + topic + "' is not a valid " + readerSchema.getFullName()
              + " in Avro single-object encoding: " + e.getMessage(), e);
    }
  }

  private static List<Schema> loadHistory() {
    List<Schema> schemas = new ArrayList<>();
    String index = readResource(HISTORY + "index.txt");
    for (String line : index.split("\n")) {
      String name = line.strip();
      if (!name.isEmpty()) {
        schemas.add(new Schema.Parser().parse(readResource(HISTORY + name)));
      }
    }
    return List.copyOf(schemas);
  }

  private static String readResource(String path) {
    try (InputStream in = AvroSerdes.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("Missing resource " + path + " in sluice-schemas");
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
