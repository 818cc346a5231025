package io.sluice.inference.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.inference.generate.internal.ContinuousBatcher;
import io.sluice.inference.generate.internal.Sequence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** KV-cache greedy decoding of the tiny decoders reproduces golden.json's greedy_fp32 exactly. */
class GoldenDecodingTest extends TinyModelTest {

  @ParameterizedTest
  @ValueSource(strings = {TinyModels.DECODER, TinyModels.DRAFT})
  void tokenizerEncodesGoldenPrompts(String name) {
    assertThat(model(name).batchInvariant()).as("fp32 has no dynamic quantization").isTrue();
    for (TinyModels.Case c : TinyModels.golden(name)) {
      assertThat(model(name).tokenizer().encode(c.prompt())).as(c.prompt())
          .containsExactly(c.promptIds());
      assertThat(model(name).tokenizer().decode(c.greedyFp32())).isEqualTo(c.decoded());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TinyModels.DECODER, TinyModels.DRAFT})
  void oneAtATime(String name) {
    try (GenerationEngine engine = new GenerationEngine(model(name),
        EngineSettings.defaults().withMaxBatchSize(1))) {
      for (TinyModels.Case c : TinyModels.golden(name)) {
        GenerationResult result = engine.generate(TinyModels.greedy(c).build());
        assertThat(result.tokenIds()).as(c.prompt()).containsExactly(c.greedyFp32());
        assertThat(result.text()).isEqualTo(c.decoded());
        assertThat(result.finishReason()).isEqualTo(FinishReason.EOS);
      }
      assertThat(engine.stats().meanDecodeBatch()).isLessThanOrEqualTo(1.0);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TinyModels.DECODER, TinyModels.DRAFT})
  void batchedWithPaddingEqualsSolo(String name) {
    List<TinyModels.Case> cases = TinyModels.golden(name);
    List<GenerationRequest> requests = new ArrayList<>();
    for (TinyModels.Case c : cases) {
      requests.add(TinyModels.greedy(c).build());
    }
    try (GenerationEngine engine = new GenerationEngine(model(name), EngineSettings.defaults())) {
      List<GenerationResult> results = new ArrayList<>();
      // Submit all before the worker can start, so they share one prefill call.
      List<java.util.concurrent.CompletableFuture<GenerationResult>> futures = new ArrayList<>();
      requests.forEach(r -> futures.add(engine.submit(r)));
      futures.forEach(f -> results.add(f.join()));
      for (int i = 0; i < cases.size(); i++) {
        assertThat(results.get(i).tokenIds()).as(cases.get(i).prompt())
            .containsExactly(cases.get(i).greedyFp32());
      }
    }
  }

  /** Drives the batcher by hand so that sequences provably join and leave a running batch. */
  @ParameterizedTest
  @ValueSource(strings = {TinyModels.DECODER, TinyModels.DRAFT})
  void continuousBatchingJoinsAndLeaves(String name) {
    CausalLm lm = model(name);
    List<TinyModels.Case> cases = TinyModels.golden(name);
    List<GenerationRequest> requests = new ArrayList<>();
    cases.forEach(c -> requests.add(TinyModels.greedy(c).build()));
    Continuous run = runContinuously(lm, requests, 3);
    List<Sequence> sequences = run.sequences();
    assertThat(run.maxActive()).isLessThanOrEqualTo(3);
    assertThat(run.joinedWhileRunning()).as("sequences that joined a running batch").isPositive();
    for (int i = 0; i < cases.size(); i++) {
      assertThat(sequences.get(i).future().join().tokenIds()).as(cases.get(i).prompt())
          .containsExactly(cases.get(i).greedyFp32());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TinyModels.DECODER, TinyModels.DRAFT})
  void cachedPrefixGivesTheSameOutput(String name) {
    try (GenerationEngine engine = new GenerationEngine(model(name), EngineSettings.defaults())) {
      for (int round = 0; round < 2; round++) {
        for (TinyModels.Case c : TinyModels.golden(name)) {
          int cut = c.promptIds().length / 2;
          GenerationRequest request = GenerationRequest.builder(
                  Arrays.copyOfRange(c.promptIds(), cut, c.promptIds().length))
              .prefix(Arrays.copyOf(c.promptIds(), cut)).maxNewTokens(24).build();
          GenerationResult result = engine.generate(request);
          assertThat(result.tokenIds()).as(c.prompt()).containsExactly(c.greedyFp32());
          assertThat(result.cachedPrefixTokens()).isEqualTo(cut);
        }
      }
      PrefixCache.Stats stats = engine.prefixCache().stats();
      assertThat(stats.misses()).isEqualTo(TinyModels.golden(name).size());
      assertThat(stats.hits()).isEqualTo(TinyModels.golden(name).size());
    }
  }

  @Test
  void wholePromptAsPrefixStartsFromCachedLogits() {
    TinyModels.Case c = TinyModels.golden(TinyModels.DECODER).get(6);
    try (GenerationEngine engine = new GenerationEngine(decoder, EngineSettings.defaults())) {
      GenerationResult result = engine.generate(GenerationRequest.builder(new int[0])
          .prefix(c.promptIds()).maxNewTokens(24).build());
      assertThat(result.tokenIds()).containsExactly(c.greedyFp32());
    }
  }

  /**
   * Longer outputs (end-of-sequence suppressed for a while, some requests sampled with a seed):
   * every request decoded under continuous batching equals the same request decoded alone.
   */
  @Test
  void continuousBatchingOfLongOutputsEqualsSolo() {
    List<TinyModels.Case> cases = TinyModels.golden(TinyModels.DECODER);
    List<GenerationRequest> requests = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      TinyModels.Case c = cases.get(i);
      Sampling sampling = i % 2 == 0 ? Sampling.greedy() : Sampling.sample(0.9, 40, 0.95, 1000 + i);
      requests.add(GenerationRequest.builder(c.promptIds()).id("r" + i).maxNewTokens(20)
          .minNewTokens(4 + 2 * i).sampling(sampling).build());
    }
    List<int[]> solo = new ArrayList<>();
    try (GenerationEngine engine = new GenerationEngine(decoder,
        EngineSettings.defaults().withMaxBatchSize(1))) {
      requests.forEach(r -> solo.add(engine.generate(r).tokenIds()));
    }
    Continuous run = runContinuously(decoder, requests, 4);
    List<Sequence> sequences = run.sequences();
    assertThat(run.maxActive()).isEqualTo(4);
    assertThat(run.joinedWhileRunning()).isGreaterThanOrEqualTo(requests.size() - 1);
    for (int i = 0; i < requests.size(); i++) {
      assertThat(sequences.get(i).future().join().tokenIds()).as(requests.get(i).id())
          .containsExactly(solo.get(i));
      assertThat(solo.get(i).length).isGreaterThanOrEqualTo(4 + 2 * i);
    }
    assertThat(run.stats().decodeRows()).isGreaterThan(run.stats().decodeCalls());
  }

  private record Continuous(List<Sequence> sequences, int joinedWhileRunning, int maxActive,
      ContinuousBatcher.Stats stats) {}

  /** Steps a batcher by hand, adding one request per step so each joins a running batch. */
  private static Continuous runContinuously(CausalLm lm, List<GenerationRequest> requests,
      int maxBatch) {
    ContinuousBatcher batcher = new ContinuousBatcher(lm.model(),
        ids -> GenerationEngine.prefix(lm, PrefixCache.disabled(), ids), maxBatch, 4096);
    List<Sequence> sequences = new ArrayList<>();
    int next = 0;
    int joined = 0;
    int maxActive = 0;
    while (next < requests.size() || batcher.hasWork()) {
      if (next < requests.size()) {
        Sequence s = lm.newSequence(requests.get(next++));
        joined += batcher.activeCount() > 0 ? 1 : 0;
        sequences.add(s);
        batcher.add(s);
      }
      batcher.step();
      maxActive = Math.max(maxActive, batcher.activeCount());
    }
    return new Continuous(sequences, joined, maxActive, batcher.stats());
  }

  /**
   * A row with a long cached prefix prefilled together with a long prompt: the padded slots of
   * the short row must not get positions past max_position_embeddings.
   */
  @Test
  void padPositionsStayWithinTheModelsRange() {
    int limit = decoder.config().maxPositions();
    TinyModels.Case c = TinyModels.golden(TinyModels.DECODER).get(6);
    int[] longPrefix = new int[limit - 40];
    java.util.Arrays.fill(longPrefix, 262);
    int[] longPrompt = new int[120];
    java.util.Arrays.fill(longPrompt, 699);
    List<GenerationRequest> requests = List.of(
        GenerationRequest.builder(c.promptIds()).prefix(longPrefix).maxNewTokens(8).build(),
        GenerationRequest.builder(longPrompt).maxNewTokens(8).build());
    List<int[]> solo = new ArrayList<>();
    try (GenerationEngine engine = new GenerationEngine(decoder,
        EngineSettings.defaults().withMaxBatchSize(1))) {
      requests.forEach(r -> solo.add(engine.generate(r).tokenIds()));
    }
    ContinuousBatcher batcher = new ContinuousBatcher(decoder.model(),
        ids -> GenerationEngine.prefix(decoder, PrefixCache.disabled(), ids), 2, 4096);
    List<Sequence> sequences = new ArrayList<>();
    requests.forEach(r -> {
      Sequence s = decoder.newSequence(r);
      sequences.add(s);
      batcher.add(s);
    });
    while (batcher.hasWork()) {
      batcher.step();
    }
    for (int i = 0; i < requests.size(); i++) {
      assertThat(sequences.get(i).future().join().tokenIds()).containsExactly(solo.get(i));
    }
  }
}
