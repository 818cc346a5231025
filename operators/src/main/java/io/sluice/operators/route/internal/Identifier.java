package io.sluice.operators.route.internal;

import io.sluice.operators.route.RecordView;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A name an expression can read, its static type and how to read it from a record. The table
 * below is the whole vocabulary; {@code docs/routing.md} documents each entry and a test keeps the
 * two in step.
 *
 * @param name the identifier as written, e.g. {@code confidence} or {@code payload.priority}
 * @param type its static type
 * @param reader reads the value (Double, Boolean or String, or null when missing)
 */
public record Identifier(String name, Type type, Function<RecordView, Object> reader) {

  /** The plain identifiers, in documentation order. */
  public static final Map<String, Identifier> PLAIN = plain();

  /** Prefixes of the dotted identifiers, each followed by a field name. */
  public static final List<String> PREFIXES =
      List.of("payload", "attributes", "fields", "fieldConfidence", "generate");

  /**
   * The fields of a generate step's result that have a type of their own; any other
   * {@code generate.<name>} reads that property of the generated JSON, as text.
   */
  public static final Map<String, Type> GENERATED = generated();

  /** The values {@code kind} takes. */
  public static final List<String> KINDS = List.of("TEXT", "SENSOR");

  /** Reads this identifier's value from {@code record}. */
  public Object read(RecordView record) {
    return reader.apply(record);
  }

  /** A dotted identifier, or null when {@code prefix} is not one of {@link #PREFIXES}. */
  public static Identifier dotted(String prefix, String field) {
    String name = prefix + "." + field;
    return switch (prefix) {
      case "payload", "attributes" -> new Identifier(name, Type.TEXT_VALUE,
          r -> r.attribute(field));
      case "fields" -> new Identifier(name, Type.TEXT_VALUE, r -> r.field(field));
      case "fieldConfidence" -> new Identifier(name, Type.NUMBER, r -> r.fieldConfidence(field));
      case "generate" -> new Identifier(name, GENERATED.getOrDefault(field, Type.TEXT_VALUE),
          r -> r.generated(field));
      default -> null;
    };
  }

  private static Map<String, Type> generated() {
    Map<String, Type> m = new LinkedHashMap<>();
    m.put("valid", Type.BOOLEAN);
    m.put("truncated", Type.BOOLEAN);
    m.put("confidence", Type.NUMBER);
    m.put("promptTokens", Type.NUMBER);
    m.put("completionTokens", Type.NUMBER);
    m.put("text", Type.STRING);
    m.put("finishReason", Type.STRING);
    m.put("promptId", Type.STRING);
    m.put("promptVersion", Type.STRING);
    return Collections.unmodifiableMap(m);
  }

  private static Map<String, Identifier> plain() {
    Map<String, Identifier> m = new LinkedHashMap<>();
    add(m, "confidence", Type.NUMBER, RecordView::confidence);
    add(m, "novelty", Type.NUMBER, RecordView::novelty);
    add(m, "novel", Type.BOOLEAN, RecordView::novel);
    add(m, "label", Type.STRING, RecordView::label);
    add(m, "restricted", Type.BOOLEAN, RecordView::restricted);
    add(m, "tokens", Type.NUMBER, r -> r.tokens() == null ? null : r.tokens().doubleValue());
    add(m, "risk", Type.NUMBER, RecordView::risk);
    add(m, "anomaly", Type.BOOLEAN, RecordView::anomaly);
    add(m, "anomalyScore", Type.NUMBER, RecordView::anomalyScore);
    add(m, "kind", Type.STRING, RecordView::kind);
    add(m, "source", Type.STRING, RecordView::source);
    add(m, "device", Type.STRING, RecordView::device);
    add(m, "metric", Type.STRING, RecordView::metric);
    add(m, "value", Type.NUMBER, RecordView::value);
    add(m, "text", Type.STRING, RecordView::text);
    return Collections.unmodifiableMap(m);
  }

  private static void add(Map<String, Identifier> m, String name, Type type,
      Function<RecordView, Object> reader) {
    m.put(name, new Identifier(name, type, reader));
  }
}
