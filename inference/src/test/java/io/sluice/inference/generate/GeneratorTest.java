package io.sluice.inference.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.inference.SessionSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The topology-facing API: template in, parsed and validated fields out. */
class GeneratorTest {

  private static final PromptTemplate PROMPT = new PromptTemplate("work-order", "3",
      "Extract the work order as JSON.\nOrder: {{input}}\nJSON:");

  @Test
  void jsonFieldsForEveryRecordFromOnePrefix() {
    GenerateSpec spec = jsonSpec();
    try (Generator generator = open(spec)) {
      List<Generation> out = generator.generate(records(12));
      for (Generation g : out) {
        assertThat(g.schemaFailed()).as(g.text()).isFalse();
        assertThat(g.fields().isObject()).isTrue();
        assertThat(g.fields().get("action").asText()).isIn("replace", "repair", "inspect");
        assertThat(g.fields().get("urgent").isBoolean()).isTrue();
        assertThat(g.promptVersion()).isEqualTo("3");
        assertThat(g.confidence()).isBetween(0.0, 1.0);
      }
      assertThat(generator.stats().prefixCache().misses()).isEqualTo(1);
      assertThat(generator.stats().prefixCache().hits()).isEqualTo(11);
    }
  }

  @Test
  void regexNamedGroupsBecomeFields() {
    GenerateSpec spec = GenerateSpec.of(TinyModels.folder(TinyModels.DECODER), PROMPT,
        Optional.of(OutputConstraint.regex(
            "(?<action>replace|repair|inspect) (?<asset>[a-z]{1,10})( line (?<line>\\d{1,2}))?")),
        24);
    try (Generator generator = open(spec)) {
      for (Generation g : generator.generate(records(6))) {
        assertThat(g.schemaFailed()).isFalse();
        assertThat(g.fields().get("action").asText()).isIn("replace", "repair", "inspect");
        assertThat(g.text()).startsWith(g.fields().get("action").asText() + " "
            + g.fields().get("asset").asText());
      }
    }
  }

  @Test
  void aDraftChangesNothingButSpeed() {
    GenerateSpec plainSpec = jsonSpec();
    GenerateSpec draftSpec = plainSpec.withDraft(TinyModels.folder(TinyModels.DRAFT));
    List<Map<String, String>> records = records(4);
    try (Generator plain = open(plainSpec);
        Generator speculative = open(draftSpec)) {
      List<Generation> a = plain.generate(records);
      List<Generation> b = speculative.generate(records);
      for (int i = 0; i < records.size(); i++) {
        assertThat(b.get(i).tokenIds()).containsExactly(a.get(i).tokenIds());
        assertThat(b.get(i).speculation()).isPresent();
      }
    }
  }

  @Test
  void independentValidationCatchesBadOutput() {
    GenerateSpec spec = jsonSpec();
    try (Generator generator = open(spec)) {
      Generation notJson = generator.toGeneration(result("{\"asset\":"));
      assertThat(notJson.schemaFailed()).isTrue();
      assertThat(notJson.failure().orElseThrow()).contains("not JSON");
      Generation wrong = generator.toGeneration(result("{\"asset\":\"p\",\"urgent\":1}"));
      assertThat(wrong.schemaFailed()).isTrue();
      assertThat(wrong.failure().orElseThrow()).contains("action");
    }
  }

  @Test
  void refusesInfeasibleSpecs() {
    OutputConstraint shape = OutputConstraint.jsonSchema(ConstrainedDecodingTest.SCHEMA);
    assertThatThrownBy(() -> GenerateSpec.of(java.nio.file.Path.of("x"), PROMPT,
        Optional.of(shape), 10)).hasMessageContaining("needs at least");
    assertThatThrownBy(() -> new PromptTemplate("p", "1", "no placeholder"))
        .hasMessageContaining("placeholder");
    assertThatThrownBy(() -> PROMPT.render(Map.of("text", "x")))
        .hasMessageContaining("no field [input]");
  }

  @Test
  void aRecordPastItsDeadlineGetsNoOutputAndTheEngineServesOn() {
    GenerateSpec slow = GenerateSpec.of(TinyModels.folder(TinyModels.DECODER), PROMPT,
        Optional.of(OutputConstraint.jsonSchema("{\"type\":\"string\",\"minLength\":200,"
            + "\"maxLength\":200}")), 210).withDeadline(java.time.Duration.ofMillis(1));
    CausalLm lm = TinyModels.open(TinyModels.DECODER);
    try (GenerationEngine engine = new GenerationEngine(lm, EngineSettings.defaults())) {
      Generation late = Generator.on(engine, slow).generate(records(1)).get(0);
      assertThat(late.finishReason()).isEqualTo(FinishReason.DEADLINE);
      assertThat(late.valid()).isFalse();
      assertThat(late.failure()).hasValueSatisfying(f -> assertThat(f).contains("deadline"));
      Generation next = Generator.on(engine, jsonSpec()).generate(records(1)).get(0);
      assertThat(next.valid()).isTrue();
      assertThat(engine.inFlight()).isZero();
    } finally {
      lm.close();
    }
  }

  @Test
  void aPromptTooLongIsCutOrRefused() {
    Map<String, String> huge = Map.of("input", "pump ".repeat(400));
    GenerateSpec cut = jsonSpec();
    try (Generator generator = open(cut)) {
      Generation g = generator.generate(List.of(huge)).get(0);
      assertThat(g.truncated()).isTrue();
      assertThat(g.promptTokens() + cut.maxNewTokens()).isLessThanOrEqualTo(256);
      assertThat(g.valid()).isTrue();
    }
    try (Generator generator = open(cut.withTooLong(GenerateSpec.TooLong.REJECT))) {
      List<Generator.Outcome> out = generator.generateAll(List.of(huge,
          Map.of("input", "pump seal")));
      assertThat(out.get(0).failure()).isInstanceOf(PromptTooLongException.class)
          .hasMessageContaining("256 positions");
      assertThat(out.get(1).succeeded()).isTrue();
    }
  }

  @Test
  void aJsonObjectConstraintGivesJsonObjects() throws Exception {
    OutputConstraint object = OutputConstraint.jsonObject();
    GenerateSpec spec = GenerateSpec.of(TinyModels.folder(TinyModels.DECODER), PROMPT,
        Optional.of(object), 40).withSampling(Sampling.sample(1.0, 0, 1.0, 7));
    try (Generator generator = open(spec)) {
      for (Generation g : generator.generate(records(6))) {
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(g.text())
            .isObject()).as(g.text()).isTrue();
      }
    }
    assertThat(object.matches("{\"a\":[1,\"x\"],\"b\":{\"c\":null}}")).isTrue();
    assertThat(object.matches("[1]")).isFalse();
  }

  private static GenerateSpec jsonSpec() {
    return GenerateSpec.of(TinyModels.folder(TinyModels.DECODER), PROMPT,
        Optional.of(OutputConstraint.jsonSchema(ConstrainedDecodingTest.SCHEMA)), 64);
  }

  private static Generator open(GenerateSpec spec) {
    return Generator.open(spec, SessionSettings.threads(1), EngineSettings.defaults());
  }

  private static GenerationResult result(String text) {
    return new GenerationResult("x", new int[0], text, FinishReason.MAX_TOKENS, 0, 1, 0,
        Optional.empty());
  }

  private static List<Map<String, String>> records(int n) {
    List<Map<String, String>> out = new ArrayList<>();
    TinyModels.texts(n).forEach(t -> out.add(Map.of("input", t)));
    return out;
  }
}
