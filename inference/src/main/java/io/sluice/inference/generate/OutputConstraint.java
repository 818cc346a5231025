package io.sluice.inference.generate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.inference.generate.internal.ByteDfa;
import io.sluice.inference.generate.internal.JsonSchemaCompiler;
import io.sluice.inference.generate.internal.RegexParser;
import io.sluice.inference.generate.internal.TokenMasks;
import io.sluice.inference.generate.internal.TokenTrie;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

/**
 * A shape the generated text must have: a JSON Schema (subset: objects, arrays, strings, enums,
 * numbers, integers, booleans, null, required properties, anyOf) or a regular expression matched
 * against the whole output. Decoding masks, token by token, every token that would leave the
 * shape, and near the token budget every token that would leave too few tokens to finish it, so a
 * constrained output always matches (JSON is produced compact, without whitespace).
 *
 * <p>Compiled once (to a byte automaton) and reusable across requests, models and threads.
 */
public final class OutputConstraint {

  /** Which language the constraint was written in. */
  public enum Kind { JSON_SCHEMA, REGEX }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Kind kind;
  private final String source;
  private final JsonNode schema;
  private final ByteDfa dfa;
  private final Map<TokenTrie, TokenMasks> masks = Collections.synchronizedMap(new WeakHashMap<>());

  private OutputConstraint(Kind kind, String source, JsonNode schema, ByteDfa dfa) {
    this.kind = kind;
    this.source = source;
    this.schema = schema;
    this.dfa = dfa;
  }

  /** The output must match {@code pattern} in full; refuses constructs an automaton cannot do. */
  public static OutputConstraint regex(String pattern) {
    return new OutputConstraint(Kind.REGEX, pattern, null,
        ByteDfa.compile(RegexParser.parse(pattern)));
  }

  /**
   * The output is a JSON object of any keys (OpenAI's {@code json_object} mode): values are
   * strings, numbers, booleans, null, arrays of those, or objects one level deep holding those.
   * Compact JSON, as for schemas; compiled once.
   */
  public static OutputConstraint jsonObject() {
    return JsonObjectHolder.INSTANCE;
  }

  private static final class JsonObjectHolder {
    static final OutputConstraint INSTANCE = regex(jsonObjectPattern());
  }

  static String jsonObjectPattern() {
    String string = "\"(?:[^\"\\\\\\x00-\\x1F]|\\\\[\"\\\\/bfnrt])*\"";
    String number = "-?(?:0|[1-9]\\d{0,15})(?:\\.\\d{1,16})?";
    String scalar = "(?:" + string + "|" + number + "|true|false|null)";
    String array = "\\[(?:" + scalar + "(?:," + scalar + ")*)?\\]";
    String inner = "\\{(?:" + string + ":(?:" + scalar + "|" + array + ")(?:," + string
        + ":(?:" + scalar + "|" + array + "))*)?\\}";
    String value = "(?:" + scalar + "|" + array + "|" + inner + ")";
    return "\\{(?:" + string + ":" + value + "(?:," + string + ":" + value + ")*)?\\}";
  }

  /** The output must be JSON that validates against {@code schema}. */
  public static OutputConstraint jsonSchema(JsonNode schema) {
    return new OutputConstraint(Kind.JSON_SCHEMA, schema.toString(), schema.deepCopy(),
        ByteDfa.compile(JsonSchemaCompiler.compile(schema)));
  }

  /** Parses {@code schemaJson} and calls {@link #jsonSchema(JsonNode)}. */
  public static OutputConstraint jsonSchema(String schemaJson) {
    try {
      return jsonSchema(JSON.readTree(schemaJson));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Output schema is not JSON: " + e.getOriginalMessage(), e);
    }
  }

  public Kind kind() {
    return kind;
  }

  /** The pattern, or the schema as compact JSON. */
  public String source() {
    return source;
  }

  public Optional<JsonNode> schema() {
    return Optional.ofNullable(schema).map(JsonNode::deepCopy);
  }

  /** Whether {@code text} is in the constrained language. */
  public boolean matches(String text) {
    return dfa.matches(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The fewest UTF-8 bytes any matching output has: a lower bound on the tokens it needs. */
  public int minimumBytes() {
    return dfa.distance(dfa.start());
  }

  /** Automaton states, a measure of how much work the constraint is. */
  public int states() {
    return dfa.stateCount();
  }

  TokenMasks masksFor(TokenTrie trie) {
    return masks.computeIfAbsent(trie, t -> new TokenMasks(dfa, t));
  }

  @Override
  public String toString() {
    return kind + " " + source;
  }
}
