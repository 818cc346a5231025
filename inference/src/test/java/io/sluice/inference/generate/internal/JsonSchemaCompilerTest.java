package io.sluice.inference.generate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * Every document the compiled automaton accepts parses as JSON and passes an independent JSON
 * Schema validator (networknt); documents that break the schema are refused.
 */
class JsonSchemaCompilerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  static final String WORK_ORDER = """
      {"type": "object",
       "properties": {
         "asset": {"type": "string", "minLength": 1, "maxLength": 12},
         "action": {"enum": ["replace", "repair", "inspect", "lubricate"]},
         "priority": {"type": "integer"},
         "hours": {"type": "number"},
         "urgent": {"type": "boolean"},
         "parts": {"type": "array", "items": {"type": "string", "maxLength": 8}, "maxItems": 3},
         "note": {"type": ["string", "null"], "maxLength": 10},
         "site": {"type": "object", "properties": {"line": {"type": "integer"}},
                  "required": ["line"]}
       },
       "required": ["asset", "action", "urgent"]}
      """;

  @Property(tries = 300)
  void acceptedDocumentsValidate(@ForAll long seed) throws Exception {
    JsonNode schemaNode = JSON.readTree(WORK_ORDER);
    ByteDfa dfa = ByteDfa.compile(JsonSchemaCompiler.compile(schemaNode));
    String doc = RandomWalk.accepted(dfa, new Random(seed), 60);
    JsonNode parsed = JSON.readTree(doc);
    assertThat(validator(schemaNode).validate(parsed)).as(doc).isEmpty();
  }

  @Test
  void optionalPropertiesMayBeLeftOutInAnyCombination() throws Exception {
    JsonNode schemaNode = JSON.readTree(WORK_ORDER);
    ByteDfa dfa = ByteDfa.compile(JsonSchemaCompiler.compile(schemaNode));
    assertThat(dfa.matches(bytes("{\"asset\":\"P-101\",\"action\":\"repair\",\"urgent\":true}")))
        .isTrue();
    assertThat(dfa.matches(bytes("{\"asset\":\"P\",\"action\":\"inspect\",\"priority\":2,"
        + "\"urgent\":false,\"parts\":[\"seal\",\"oil\"],\"note\":null,\"site\":{\"line\":7}}")))
        .isTrue();
    assertThat(dfa.matches(bytes("{\"asset\":\"P\",\"action\":\"replace\",\"urgent\":false,"
        + "\"site\":{\"line\":-3}}"))).isTrue();
    // Leading comma, missing required, wrong enum, too long, extra whitespace:
    assertThat(dfa.matches(bytes("{,\"asset\":\"P\",\"action\":\"repair\",\"urgent\":true}")))
        .isFalse();
    assertThat(dfa.matches(bytes("{\"asset\":\"P\",\"urgent\":true}"))).isFalse();
    assertThat(dfa.matches(bytes("{\"asset\":\"P\",\"action\":\"paint\",\"urgent\":true}")))
        .isFalse();
    assertThat(dfa.matches(bytes("{\"asset\":\"ABCDEFGHIJKLM\",\"action\":\"repair\","
        + "\"urgent\":true}"))).isFalse();
    assertThat(dfa.matches(bytes("{\"asset\": \"P\",\"action\":\"repair\",\"urgent\":true}")))
        .isFalse();
    assertThat(dfa.matches(bytes("{\"asset\":\"\",\"action\":\"repair\",\"urgent\":true}")))
        .as("minLength 1").isFalse();
  }

  @Test
  void manyOptionalPropertiesStaySmall() throws Exception {
    StringBuilder schema = new StringBuilder("{\"type\":\"object\",\"properties\":{");
    for (int i = 0; i < 20; i++) {
      schema.append(i == 0 ? "" : ",").append("\"p").append(i).append("\":{\"type\":\"integer\"}");
    }
    schema.append("}}");
    ByteDfa dfa = ByteDfa.compile(JsonSchemaCompiler.compile(JSON.readTree(schema.toString())));
    assertThat(dfa.matches(bytes("{}"))).isTrue();
    assertThat(dfa.matches(bytes("{\"p19\":1}"))).isTrue();
    assertThat(dfa.matches(bytes("{\"p3\":1,\"p12\":-4}"))).isTrue();
    assertThat(dfa.matches(bytes("{\"p12\":1,\"p3\":4}"))).as("declared order").isFalse();
    assertThat(dfa.stateCount()).as("quadratic, not exponential").isLessThan(20_000);
  }

  @Test
  void distinctWalksCoverTheSchema() throws Exception {
    ByteDfa dfa = ByteDfa.compile(JsonSchemaCompiler.compile(JSON.readTree(WORK_ORDER)));
    Set<String> actions = new HashSet<>();
    Random random = new Random(7);
    for (int i = 0; i < 200; i++) {
      actions.add(JSON.readTree(RandomWalk.accepted(dfa, random, 40)).get("action").asText());
    }
    assertThat(actions).containsExactlyInAnyOrder("replace", "repair", "inspect", "lubricate");
  }

  @Test
  void refusesWhatItCannotGuarantee() {
    assertThatThrownBy(() -> compile("{\"type\":\"string\",\"pattern\":\"a+\"}"))
        .hasMessageContaining("/pattern").hasMessageContaining("not supported");
    assertThatThrownBy(() -> compile("{\"type\":\"integer\",\"minimum\":3}"))
        .hasMessageContaining("/minimum");
    assertThatThrownBy(() -> compile("{\"type\":\"object\",\"properties\":{\"a\":{}}}"))
        .hasMessageContaining("/properties/a").hasMessageContaining("needs a 'type'");
    assertThatThrownBy(() -> compile("{\"type\":\"array\"}"))
        .hasMessageContaining("'items'");
    assertThatThrownBy(() -> compile("{\"type\":\"object\",\"required\":[\"x\"]}"))
        .hasMessageContaining("'x'");
    assertThatThrownBy(() -> compile("{\"type\":\"string\",\"minLength\":4,\"maxLength\":2}"))
        .hasMessageContaining("maxLength");
    assertThatThrownBy(() -> compile("{\"type\":\"date\"}")).hasMessageContaining("unknown type");
  }

  private static void compile(String schema) throws Exception {
    JsonSchemaCompiler.compile(JSON.readTree(schema));
  }

  private static JsonSchema validator(JsonNode schema) {
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
