package io.sluice.inference.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Speculative decoding (target tiny-decoder, draft tiny-draft) equals the target's greedy output. */
class SpeculativeDecodingTest extends TinyModelTest {

  @ParameterizedTest
  @ValueSource(strings = {TinyModels.DECODER, TinyModels.DRAFT})
  void reproducesGoldenGreedy(String goldenOf) {
    // Both golden files hold the same prompts; the target's continuation is tiny-decoder's.
    List<TinyModels.Case> prompts = TinyModels.golden(goldenOf);
    List<TinyModels.Case> expected = TinyModels.golden(TinyModels.DECODER);
    SpeculativeDecoder speculative =
        new SpeculativeDecoder(decoder, draft, 4, PrefixCache.disabled());
    for (int i = 0; i < prompts.size(); i++) {
      GenerationResult result = speculative.generate(TinyModels.greedy(prompts.get(i)).build());
      assertThat(result.tokenIds()).as(prompts.get(i).prompt())
          .containsExactly(expected.get(i).greedyFp32());
      assertThat(result.speculation()).isPresent();
    }
  }

  /** Longer outputs exercise rejection and rollback many times, at several lookaheads. */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 4, 7})
  void longOutputsEqualPlainGreedy(int lookahead) {
    SpeculativeDecoder speculative = new SpeculativeDecoder(decoder, draft, lookahead,
        new PrefixCache(1 << 20));
    long proposed = 0;
    long accepted = 0;
    try (GenerationEngine plain = new GenerationEngine(decoder, EngineSettings.defaults())) {
      for (String text : TinyModels.texts(12)) {
        int[] ids = decoder.tokenizer().encode(text);
        int cut = ids.length / 3;
        GenerationRequest request = GenerationRequest.builder(
                java.util.Arrays.copyOfRange(ids, cut, ids.length))
            .prefix(java.util.Arrays.copyOf(ids, cut)).maxNewTokens(30).minNewTokens(20).build();
        GenerationResult expected = plain.generate(request);
        GenerationResult got = speculative.generate(request);
        assertThat(got.tokenIds()).as(text).containsExactly(expected.tokenIds());
        assertThat(got.text()).isEqualTo(expected.text());
        GenerationResult.SpeculationStats stats = got.speculation().orElseThrow();
        proposed += stats.proposed();
        accepted += stats.accepted();
        assertThat(stats.targetCalls()).isLessThanOrEqualTo(got.tokenIds().length);
      }
    }
    System.out.printf("lookahead %d: acceptance %.3f (%d/%d)%n", lookahead,
        (double) accepted / proposed, accepted, proposed);
    assertThat(accepted).isLessThan(proposed);
  }

  @Test
  void constrainedOutputsSpeculateToo() {
    OutputConstraint constraint = OutputConstraint.jsonSchema(ConstrainedDecodingTest.SCHEMA);
    SpeculativeDecoder speculative =
        new SpeculativeDecoder(decoder, draft, 4, PrefixCache.disabled());
    try (GenerationEngine plain = new GenerationEngine(decoder, EngineSettings.defaults())) {
      for (String text : TinyModels.texts(10)) {
        GenerationRequest request = GenerationRequest.builder(decoder.tokenizer().encode(text))
            .maxNewTokens(64).constraint(constraint).build();
        GenerationResult got = speculative.generate(request);
        assertThat(got.tokenIds()).containsExactly(plain.generate(request).tokenIds());
        assertThat(constraint.matches(got.text())).isTrue();
      }
    }
  }

  @Test
  void aDraftEqualToTheTargetIsAlwaysAccepted() {
    SpeculativeDecoder speculative =
        new SpeculativeDecoder(decoder, decoder, 5, PrefixCache.disabled());
    GenerationResult result = speculative.generate(GenerationRequest.builder(
        decoder.tokenizer().encode("replace the pump")).maxNewTokens(24).minNewTokens(24).build());
    GenerationResult.SpeculationStats stats = result.speculation().orElseThrow();
    assertThat(stats.acceptanceRate()).isEqualTo(1.0);
    // 1 prefill + ceil(23 / 6) verification calls.
    assertThat(stats.targetCalls()).isEqualTo(1 + 4);
  }

  @Test
  void refusesSampling() {
    SpeculativeDecoder speculative =
        new SpeculativeDecoder(decoder, draft, 4, PrefixCache.disabled());
    assertThatThrownBy(() -> speculative.generate(GenerationRequest.builder(new int[] {5})
        .sampling(Sampling.sample(0.8, 0, 1, 1)).build())).hasMessageContaining("greedy");
  }
}
