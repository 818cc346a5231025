package io.sluice.operators.decode;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.sluice.schemas.DeadLetterType;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.PipelineRecord;
import io.sluice.schemas.RecordKind;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Decodes JSON objects into text events or sensor readings. Strict: duplicate keys, trailing
 * garbage and wrong types are errors that name the field and what was expected. Unknown fields are
 * kept as text attributes, so routing rules can read them.
 */
public final class JsonPayloadDecoder implements PayloadDecoder {

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private static final Set<String> COMMON =
      Set.of("eventId", "id", "deviceId", "timestamp", "ts", "restricted");

  private final EventSchema schema;
  private final long maxBytes;

  public JsonPayloadDecoder(EventSchema schema, long maxBytes) {
    this.schema = schema;
    this.maxBytes = maxBytes;
  }

  @Override
  public PipelineRecord decode(byte[] payload, IngestContext context) throws DecodeException {
    String text = PayloadChecks.text(payload, maxBytes);
    JsonNode root;
    try {
      root = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new DecodeException(DeadLetterType.MALFORMED, "not valid JSON: "
          + e.getOriginalMessage() + location(e));
    }
    if (root == null || !root.isObject()) {
      throw new DecodeException(DeadLetterType.SCHEMA_VIOLATION, "expected a JSON object, got "
          + (root == null ? "nothing" : root.getNodeType().name().toLowerCase()));
    }
    return fromObject(root, payload, context);
  }

  /**
   * Checks an object's fields against the schema and builds the record; shared by the CSV
   * decoder, which turns a line into such an object first.
   */
  PipelineRecord fromObject(JsonNode root, byte[] payload, IngestContext context)
      throws DecodeException {
    InferenceResult.Builder result = InferenceResult.newBuilder()
        .setEventId(optionalText(root, "eventId", optionalText(root, "id",
            context.derivedEventId())))
        .setSource(context.source())
        .setDeviceId(optionalText(root, "deviceId",
            context.deviceId() == null ? "unknown" : context.deviceId()))
        .setTimestamp(timestamp(root, context.receivedAt()))
        .setRestricted(optionalBoolean(root, "restricted"))
        .setRoute("local");
    Set<String> known;
    if (schema == EventSchema.TEXT_EVENT) {
      String body = requiredText(root, "text");
      if (body.isBlank()) {
        throw new DecodeException(DeadLetterType.SCHEMA_VIOLATION, "field 'text' is empty");
      }
      result.setKind(RecordKind.TEXT).setText(body);
      known = Set.of("text");
    } else {
      result.setKind(RecordKind.SENSOR)
          .setMetric(requiredText(root, "metric"))
          .setValue(requiredNumber(root, "value"));
      known = Set.of("metric", "value");
    }
    result.setAttributes(attributes(root, known));
    return PipelineRecord.newBuilder()
        .setResult(result.build())
        .setPayload(ByteBuffer.wrap(payload))
        .build();
  }

  private static Map<String, String> attributes(JsonNode root, Set<String> known) {
    Map<String, String> out = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      if (known.contains(f.getKey()) || COMMON.contains(f.getKey()) || f.getValue().isNull()) {
        continue;
      }
      out.put(f.getKey(), f.getValue().isValueNode() ? f.getValue().asText()
          : f.getValue().toString());
    }
    return out;
  }

  private static String requiredText(JsonNode root, String field) throws DecodeException {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      throw new DecodeException(DeadLetterType.MISSING_FIELD,
          "missing required field '" + field + "' (a string)");
    }
    if (!node.isTextual()) {
      throw new DecodeException(DeadLetterType.WRONG_TYPE, "field '" + field
          + "' must be a string, got " + kind(node) + " " + preview(node));
    }
    return node.textValue();
  }

  private static double requiredNumber(JsonNode root, String field) throws DecodeException {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      throw new DecodeException(DeadLetterType.MISSING_FIELD,
          "missing required field '" + field + "' (a number)");
    }
    if (!node.isNumber()) {
      throw new DecodeException(DeadLetterType.WRONG_TYPE, "field '" + field
          + "' must be a number, got " + kind(node) + " " + preview(node));
    }
    double v = node.doubleValue();
    if (!Double.isFinite(v)) {
      throw new DecodeException(DeadLetterType.WRONG_TYPE,
          "field '" + field + "' must be a finite number, got " + node);
    }
    return v;
  }

  private static String optionalText(JsonNode root, String field, String fallback)
      throws DecodeException {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isTextual() && !node.isIntegralNumber()) {
      throw new DecodeException(DeadLetterType.WRONG_TYPE, "field '" + field
          + "' must be a string, got " + kind(node) + " " + preview(node));
    }
    String v = node.asText();
    return v.isBlank() ? fallback : v;
  }

  private static boolean optionalBoolean(JsonNode root, String field) throws DecodeException {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return false;
    }
    if (!node.isBoolean()) {
      throw new DecodeException(DeadLetterType.WRONG_TYPE, "field '" + field
          + "' must be true or false, got " + kind(node) + " " + preview(node));
    }
    return node.booleanValue();
  }

  private static Instant timestamp(JsonNode root, Instant fallback) throws DecodeException {
    String field = root.has("timestamp") ? "timestamp" : root.has("ts") ? "ts" : null;
    if (field == null || root.get(field).isNull()) {
      return fallback;
    }
    JsonNode node = root.get(field);
    if (node.isIntegralNumber()) {
      return Instant.ofEpochMilli(node.longValue());
    }
    if (node.isTextual()) {
      try {
        return Instant.parse(node.textValue());
      } catch (DateTimeParseException e) {
        throw new DecodeException(DeadLetterType.WRONG_TYPE, "field '" + field
            + "' must be epoch milliseconds or an ISO-8601 instant such as"
            + " 2026-11-22T08:15:00Z, got " + preview(node));
      }
    }
    throw new DecodeException(DeadLetterType.WRONG_TYPE, "field '" + field
        + "' must be epoch milliseconds or an ISO-8601 instant, got " + kind(node));
  }

  private static String kind(JsonNode node) {
    return switch (node.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      default -> node.getNodeType().name().toLowerCase();
    };
  }

  private static String preview(JsonNode node) {
    String s = node.toString();
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  private static String location(JsonProcessingException e) {
    if (e.getLocation() == null) {
      return "";
    }
    return " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()
        + ")";
  }
}
