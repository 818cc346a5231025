package io.sluice.inference.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 200 real prompts on each tiny model, half greedy and half sampled: every output constrained by
 * a JSON Schema parses and passes an independent validator (networknt), and every output
 * constrained by a regular expression matches it under java.util.regex. The models were never
 * trained on JSON, so validity comes from masking alone.
 */
class ConstrainedDecodingTest extends TinyModelTest {

  static final String SCHEMA = """
      {"type": "object",
       "properties": {
         "asset": {"type": "string", "maxLength": 16},
         "action": {"enum": ["replace", "repair", "inspect"]},
         "urgent": {"type": "boolean"},
         "line": {"type": "integer"},
         "parts": {"type": "array", "items": {"type": "string", "maxLength": 6}, "maxItems": 2}
       },
       "required": ["asset", "action", "urgent"]}
      """;
  static final String REGEX = "(replace|repair|inspect) [a-z]{1,12}( on line \\d{1,2})?";

  private static final ObjectMapper JSON = new ObjectMapper();
  private List<String> prompts;

  @BeforeAll
  void readPrompts() {
    prompts = TinyModels.texts(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {TinyModels.DECODER, TinyModels.DRAFT})
  void everyJsonOutputValidates(String name) throws Exception {
    OutputConstraint constraint = OutputConstraint.jsonSchema(SCHEMA);
    JsonSchema validator = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
        .getSchema(JSON.readTree(SCHEMA));
    List<GenerationResult> results = run(model(name), constraint, 64);
    Map<FinishReason, Integer> reasons = new EnumMap<>(FinishReason.class);
    int valid = 0;
    for (GenerationResult r : results) {
      reasons.merge(r.finishReason(), 1, Integer::sum);
      JsonNode parsed = JSON.readTree(r.text());
      assertThat(validator.validate(parsed)).as(r.id() + " -> " + r.text()).isEmpty();
      assertThat(constraint.matches(r.text())).isTrue();
      valid++;
    }
    System.out.printf("%s JSON: %d/%d valid, finish reasons %s, e.g. %s%n", name, valid,
        results.size(), reasons, results.get(0).text());
    assertThat(valid).isEqualTo(200);
    assertThat(reasons).doesNotContainKey(FinishReason.CONSTRAINT_DEAD_END);
  }

  @ParameterizedTest
  @ValueSource(strings = {TinyModels.DECODER, TinyModels.DRAFT})
  void everyRegexOutputMatches(String name) {
    Pattern pattern = Pattern.compile(REGEX);
    List<GenerationResult> results = run(model(name), OutputConstraint.regex(REGEX), 32);
    for (GenerationResult r : results) {
      assertThat(pattern.matcher(r.text()).matches()).as(r.id() + " -> '" + r.text() + "'")
          .isTrue();
    }
    System.out.printf("%s regex: %d/%d match, e.g. '%s'%n", name, results.size(),
        results.size(), results.get(0).text());
  }

  @Test
  void aTightBudgetStillClosesTheDocument() throws Exception {
    OutputConstraint constraint = OutputConstraint.jsonSchema(SCHEMA);
    int minimum = constraint.minimumBytes();
    CausalLm lm = decoder;
    try (GenerationEngine engine = new GenerationEngine(lm, EngineSettings.defaults())) {
      for (String prompt : prompts.subList(0, 10)) {
        GenerationResult r = engine.generate(GenerationRequest.builder(lm.tokenizer()
            .encode(prompt + " ->")).maxNewTokens(minimum).constraint(constraint)
            .sampling(Sampling.sample(1.5, 0, 1, prompt.hashCode())).build());
        assertThat(constraint.matches(r.text())).as(r.text()).isTrue();
        JSON.readTree(r.text());
      }
      GenerationRequest tooShort = GenerationRequest.builder(new int[] {5})
          .maxNewTokens(minimum - 1).constraint(constraint).build();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.generate(tooShort))
          .hasMessageContaining("needs at least " + minimum);
    }
  }

  private List<GenerationResult> run(CausalLm lm, OutputConstraint constraint, int maxNew) {
    List<GenerationRequest> requests = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) {
      Sampling sampling = i % 2 == 0 ? Sampling.greedy() : Sampling.sample(1.0, 0, 1, i);
      requests.add(GenerationRequest.builder(lm.tokenizer().encode(prompts.get(i) + " ->"))
          .id(prompts.get(i)).maxNewTokens(maxNew).constraint(constraint).sampling(sampling)
          .build());
    }
    try (GenerationEngine engine = new GenerationEngine(lm, EngineSettings.defaults())) {
      return engine.generateAll(requests);
    }
  }
}
