package io.sluice.inference.generate.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles a JSON Schema subset into a {@link RegexNode} whose language is compact JSON text (no
 * whitespace) that validates against the schema. Everything the language contains is valid; the
 * language need not contain every valid document (properties come in declared order, numbers have
 * at most 16 significant digits, strings use the simple escapes only).
 *
 * <p>Supported: {@code type} (one or a list of object, array, string, number, integer, boolean,
 * null), {@code properties}, {@code required}, {@code additionalProperties} (no extra properties
 * are ever produced, so it only has to be consistent), {@code items}, {@code minItems},
 * {@code maxItems}, {@code minLength}, {@code maxLength}, {@code enum}, {@code const} and
 * {@code anyOf}; annotations such as {@code title} and {@code description} are ignored. Any other
 * keyword is refused with its JSON Pointer, because silently ignoring a validation keyword would
 * produce output that fails validation.
 *
 * <p>Optional properties: with properties p1..pn in order, the text after the opening brace is
 * R(1, first=true), where R(i, first) either emits pi (preceded by a comma unless first) and goes
 * on with R(i+1, false), or, when pi is optional, skips to R(i+1, first). R(i, false) is the chain
 * {@code (,pi)? R(i+1, false)} and R(i, true) refers to it once per optional leading property, so
 * the automaton grows with the square of the number of properties, not exponentially.
 */
public final class JsonSchemaCompiler {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> ANNOTATIONS = Set.of("title", "description", "$schema", "$id",
      "$comment", "examples", "default", "readOnly", "writeOnly", "deprecated");
  private static final Set<String> SUPPORTED = Set.of("type", "properties", "required",
      "additionalProperties", "items", "minItems", "maxItems", "minLength", "maxLength", "enum",
      "const", "anyOf");

  private static final RegexNode STRING_CHAR = new RegexNode.Alternation(List.of(
      new RegexNode.CharSet(CodePointSets.complement(new int[] {0, 0x1F, '"', '"', '\\', '\\'})),
      RegexNode.concat(RegexNode.literal("\\"), new RegexNode.CharSet(CodePointSets.normalize(
          new int[] {'"', '"', '\\', '\\', '/', '/', 'b', 'b', 'f', 'f', 'n', 'n', 'r', 'r',
              't', 't'})))));
  private static final RegexNode DIGIT = new RegexNode.CharSet(new int[] {'0', '9'});
  private static final RegexNode NONZERO = new RegexNode.CharSet(new int[] {'1', '9'});
  private static final RegexNode INTEGER = RegexNode.concat(
      RegexNode.optional(RegexNode.literal("-")),
      new RegexNode.Alternation(List.of(RegexNode.literal("0"),
          RegexNode.concat(NONZERO, new RegexNode.Repeat(DIGIT, 0, 17)))));
  private static final RegexNode NUMBER = RegexNode.concat(
      RegexNode.optional(RegexNode.literal("-")),
      new RegexNode.Alternation(List.of(RegexNode.literal("0"),
          RegexNode.concat(NONZERO, new RegexNode.Repeat(DIGIT, 0, 15)))),
      RegexNode.optional(RegexNode.concat(RegexNode.literal("."), new RegexNode.Repeat(DIGIT, 1, 15))),
      RegexNode.optional(RegexNode.concat(
          new RegexNode.CharSet(new int[] {'E', 'E', 'e', 'e'}),
          RegexNode.optional(new RegexNode.CharSet(new int[] {'+', '+', '-', '-'})),
          new RegexNode.Repeat(DIGIT, 1, 3))));

  private JsonSchemaCompiler() {}

  public static RegexNode compile(JsonNode schema) {
    return node(schema, "");
  }

  private static RegexNode node(JsonNode schema, String pointer) {
    String where = pointer.isEmpty() ? "/" : pointer;
    if (!schema.isObject()) {
      throw error(where, "expected a schema object, got " + schema.getNodeType());
    }
    for (Iterator<String> names = schema.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!SUPPORTED.contains(name) && !ANNOTATIONS.contains(name)) {
        throw error(pointer + "/" + name, "keyword '" + name + "' is not supported by constrained"
            + " decoding; supported: " + new java.util.TreeSet<>(SUPPORTED));
      }
    }
    if (schema.has("const")) {
      return literalValue(schema.get("const"));
    }
    if (schema.has("enum")) {
      JsonNode values = schema.get("enum");
      if (!values.isArray() || values.isEmpty()) {
        throw error(pointer + "/enum", "expected a non-empty array");
      }
      List<RegexNode> choices = new ArrayList<>();
      values.forEach(v -> choices.add(literalValue(v)));
      return choices.size() == 1 ? choices.get(0) : new RegexNode.Alternation(choices);
    }
    if (schema.has("anyOf")) {
      if (schema.has("type")) {
        throw error(pointer, "use either 'anyOf' or 'type' at one level, not both");
      }
      JsonNode options = schema.get("anyOf");
      if (!options.isArray() || options.isEmpty()) {
        throw error(pointer + "/anyOf", "expected a non-empty array of schemas");
      }
      List<RegexNode> choices = new ArrayList<>();
      for (int i = 0; i < options.size(); i++) {
        choices.add(node(options.get(i), pointer + "/anyOf/" + i));
      }
      return new RegexNode.Alternation(choices);
    }
    JsonNode type = schema.get("type");
    if (type == null) {
      throw error(where, "needs a 'type', 'enum', 'const' or 'anyOf' (free-form JSON cannot be"
          + " constrained)");
    }
    if (type.isArray()) {
      List<RegexNode> choices = new ArrayList<>();
      for (JsonNode t : type) {
        choices.add(typed(schema, t.asText(), pointer));
      }
      if (choices.isEmpty()) {
        throw error(pointer + "/type", "expected at least one type");
      }
      return choices.size() == 1 ? choices.get(0) : new RegexNode.Alternation(choices);
    }
    return typed(schema, type.asText(), pointer);
  }

  private static RegexNode typed(JsonNode schema, String type, String pointer) {
    switch (type) {
      case "string":
        return RegexNode.concat(RegexNode.literal("\""), new RegexNode.Repeat(STRING_CHAR,
            count(schema, "minLength", 0, pointer),
            atLeast(schema, "maxLength", "minLength", pointer)), RegexNode.literal("\""));
      case "integer":
        return INTEGER;
      case "number":
        return NUMBER;
      case "boolean":
        return new RegexNode.Alternation(List.of(RegexNode.literal("true"),
            RegexNode.literal("false")));
      case "null":
        return RegexNode.literal("null");
      case "object":
        return object(schema, pointer);
      case "array":
        return array(schema, pointer);
      default:
        throw error(pointer + "/type", "unknown type '" + type + "'; expected one of object,"
            + " array, string, number, integer, boolean, null");
    }
  }

  private static RegexNode object(JsonNode schema, String pointer) {
    JsonNode properties = schema.path("properties");
    Map<String, RegexNode> members = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> property : properties.properties()) {
      String path = pointer + "/properties/" + escapePointer(property.getKey());
      members.put(property.getKey(), RegexNode.concat(literalValue(JSON.getNodeFactory()
          .textNode(property.getKey())), RegexNode.literal(":"), node(property.getValue(), path)));
    }
    List<String> required = new ArrayList<>();
    for (JsonNode name : schema.path("required")) {
      if (!members.containsKey(name.asText())) {
        throw error(pointer + "/required", "property '" + name.asText()
            + "' is required but has no schema under 'properties'");
      }
      required.add(name.asText());
    }
    List<String> names = new ArrayList<>(members.keySet());
    // chain[i] = R(i, first=false); built from the back.
    RegexNode[] notFirst = new RegexNode[names.size() + 1];
    notFirst[names.size()] = new RegexNode.Empty();
    for (int i = names.size() - 1; i >= 0; i--) {
      RegexNode emit = RegexNode.concat(RegexNode.literal(","), members.get(names.get(i)));
      notFirst[i] = RegexNode.concat(
          required.contains(names.get(i)) ? emit : RegexNode.optional(emit), notFirst[i + 1]);
    }
    RegexNode first = new RegexNode.Empty();
    for (int i = names.size() - 1; i >= 0; i--) {
      RegexNode emit = RegexNode.concat(members.get(names.get(i)), notFirst[i + 1]);
      first = required.contains(names.get(i))
          ? emit : new RegexNode.Alternation(List.of(emit, first));
    }
    return RegexNode.concat(RegexNode.literal("{"), first, RegexNode.literal("}"));
  }

  private static RegexNode array(JsonNode schema, String pointer) {
    if (!schema.has("items")) {
      throw error(pointer, "an array needs an 'items' schema");
    }
    RegexNode item = node(schema.get("items"), pointer + "/items");
    int min = count(schema, "minItems", 0, pointer);
    int max = atLeast(schema, "maxItems", "minItems", pointer);
    if (max == 0) {
      return RegexNode.literal("[]");
    }
    RegexNode more = new RegexNode.Repeat(RegexNode.concat(RegexNode.literal(","), item),
        Math.max(0, min - 1), max < 0 ? -1 : max - 1);
    RegexNode body = RegexNode.concat(item, more);
    return RegexNode.concat(RegexNode.literal("["), min == 0 ? RegexNode.optional(body) : body,
        RegexNode.literal("]"));
  }

  private static int count(JsonNode schema, String keyword, int absent, String pointer) {
    JsonNode value = schema.get(keyword);
    if (value == null) {
      return absent;
    }
    if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 0) {
      throw error(pointer + "/" + keyword, "expected a non-negative integer, got " + value);
    }
    if (value.asInt() > RegexParser.MAX_REPEAT) {
      throw error(pointer + "/" + keyword, "at most " + RegexParser.MAX_REPEAT
          + " is supported, got " + value);
    }
    return value.asInt();
  }

  /** The upper bound {@code keyword} (-1 when absent), checked against its lower bound. */
  private static int atLeast(JsonNode schema, String keyword, String lowerKeyword, String pointer) {
    int max = count(schema, keyword, -1, pointer);
    int min = count(schema, lowerKeyword, 0, pointer);
    if (max >= 0 && max < min) {
      throw error(pointer + "/" + keyword, keyword + " " + max + " is below " + lowerKeyword + " "
          + min);
    }
    return max;
  }

  private static RegexNode literalValue(JsonNode value) {
    try {
      return RegexNode.literal(JSON.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Cannot serialize " + value, e);
    }
  }

  private static String escapePointer(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }

  private static IllegalArgumentException error(String pointer, String what) {
    return new IllegalArgumentException("Unsupported output schema at " + pointer + ": " + what);
  }
}
