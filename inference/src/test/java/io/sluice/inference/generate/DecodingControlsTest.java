package io.sluice.inference.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Stop tokens and strings, streaming, seeded sampling, minimum length and position limits, on
 * tiny-decoder and its golden prompt "check the" (greedy: 505 552 501 343 534 293 0,
 * " next song we be played").
 */
class DecodingControlsTest extends TinyModelTest {

  private TinyModels.Case checkThe() {
    return TinyModels.golden(TinyModels.DECODER).get(6);
  }

  private GenerationResult generate(GenerationRequest request) {
    try (GenerationEngine engine = new GenerationEngine(decoder, EngineSettings.defaults())) {
      return engine.generate(request);
    }
  }

  @Test
  void stopTokenEndsAfterTheToken() {
    GenerationResult r = generate(TinyModels.greedy(checkThe()).stopTokenIds(List.of(552)).build());
    assertThat(r.tokenIds()).containsExactly(505, 552);
    assertThat(r.finishReason()).isEqualTo(FinishReason.STOP_TOKEN);
  }

  @Test
  void stopStringCutsTheText() {
    GenerationResult r = generate(TinyModels.greedy(checkThe()).stopStrings(List.of(" song"))
        .build());
    assertThat(r.text()).isEqualTo(" next");
    assertThat(r.finishReason()).isEqualTo(FinishReason.STOP_STRING);
    assertThat(r.tokenIds()).startsWith(505, 552);
  }

  @Test
  void maxNewTokensEndsGeneration() {
    GenerationResult r = generate(TinyModels.greedy(checkThe()).maxNewTokens(3).build());
    assertThat(r.tokenIds()).containsExactly(505, 552, 501);
    assertThat(r.finishReason()).isEqualTo(FinishReason.MAX_TOKENS);
  }

  @Test
  void listenerReceivesEveryTokenAndTheWholeText() {
    List<Integer> tokens = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    GenerationResult r = generate(TinyModels.greedy(checkThe()).listener((id, token, delta) -> {
      tokens.add(token);
      text.append(delta);
    }).build());
    assertThat(tokens).containsExactly(505, 552, 501, 343, 534, 293, 0);
    assertThat(text.toString()).isEqualTo(r.text()).isEqualTo(" next song we be played");
  }

  @Test
  void minNewTokensSuppressesEndOfSequence() {
    GenerationResult r = generate(TinyModels.greedy(checkThe()).minNewTokens(12).maxNewTokens(12)
        .build());
    assertThat(r.tokenIds()).hasSize(12).startsWith(505, 552, 501, 343, 534, 293);
    assertThat(r.tokenIds()).doesNotContain(0);
  }

  @Test
  void seededSamplingRepeatsAndSeedsDiffer() {
    Set<List<Integer>> outputs = new HashSet<>();
    for (long seed = 0; seed < 6; seed++) {
      GenerationRequest request = TinyModels.greedy(checkThe()).minNewTokens(8).maxNewTokens(8)
          .sampling(Sampling.sample(1.0, 0, 1, seed)).build();
      int[] first = generate(request).tokenIds();
      assertThat(generate(request).tokenIds()).as("seed " + seed).containsExactly(first);
      List<Integer> boxed = new ArrayList<>();
      for (int t : first) {
        boxed.add(t);
      }
      outputs.add(boxed);
    }
    assertThat(outputs).as("six seeds give more than one output").hasSizeGreaterThan(1);
  }

  @Test
  void topKOfOneIsGreedy() {
    GenerationResult r = generate(TinyModels.greedy(checkThe())
        .sampling(Sampling.sample(1.3, 1, 1, 42)).build());
    assertThat(r.tokenIds()).containsExactly(checkThe().greedyFp32());
  }

  @Test
  void promptsBeyondThePositionLimitAreRefusedWithTheLimit() {
    int limit = decoder.config().maxPositions();
    GenerationRequest tooLong = GenerationRequest.builder(new int[limit - 4]).maxNewTokens(8)
        .build();
    assertThatThrownBy(() -> generate(tooLong))
        .hasMessageContaining("max_position_embeddings " + limit);
  }

  @Test
  void closedEngineFailsNewRequests() {
    GenerationEngine engine = new GenerationEngine(decoder, EngineSettings.defaults());
    engine.close();
    assertThat(engine.submit(TinyModels.greedy(checkThe()).build()))
        .isCompletedExceptionally();
  }

  @Test
  void aThrowingListenerFailsOnlyItsOwnRequest() {
    try (GenerationEngine engine = new GenerationEngine(decoder, EngineSettings.defaults())) {
      java.util.concurrent.CompletableFuture<GenerationResult> bad = engine.submit(
          TinyModels.greedy(checkThe()).id("bad").listener((id, token, delta) -> {
            throw new IllegalArgumentException("listener broke");
          }).build());
      java.util.concurrent.CompletableFuture<GenerationResult> good = engine.submit(
          TinyModels.greedy(checkThe()).id("good").build());
      assertThat(good.join().tokenIds()).containsExactly(checkThe().greedyFp32());
      assertThatThrownBy(bad::join).hasMessageContaining("Token listener of request 'bad'")
          .hasMessageContaining("listener broke");
      assertThat(engine.generate(TinyModels.greedy(checkThe()).build()).tokenIds())
          .as("the engine keeps serving").containsExactly(checkThe().greedyFp32());
    }
  }
}
