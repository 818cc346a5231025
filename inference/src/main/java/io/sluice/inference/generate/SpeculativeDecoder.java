package io.sluice.inference.generate;

import io.sluice.inference.generate.internal.CachedPrefix;
import io.sluice.inference.generate.internal.DecoderModel;
import io.sluice.inference.generate.internal.KvCache;
import io.sluice.inference.generate.internal.Sampler;
import io.sluice.inference.generate.internal.Sequence;
import io.sluice.inference.generate.internal.TokenBytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Greedy speculative decoding: a small draft model proposes up to {@code lookahead} tokens one at
 * a time, and the target model checks them all in one call; the target's own greedy choice is kept
 * at the first disagreement (and after a fully accepted run, the target's next token comes free).
 * The output is therefore exactly the target's greedy output, whatever the draft proposes; the
 * draft only changes how many target calls it takes.
 *
 * <p>Both caches live in Java, so rejecting proposals is truncating each cache to the tokens both
 * models agree on. Constraints, stop tokens, stop strings and token budgets apply to the draft's
 * proposals the same way as to the target's choices, so constrained outputs speculate too.
 * Sampling is refused: exact-distribution speculative sampling is not implemented.
 *
 * <p>One request at a time (batch 1): on a CPU the win comes from replacing several target calls
 * by one wider call, which pays only while the target is memory-bound.
 */
public final class SpeculativeDecoder {

  private final CausalLm target;
  private final CausalLm draft;
  private final int lookahead;
  private final PrefixCache prefixCache;

  /**
   * @param lookahead tokens the draft proposes per round (1 or more)
   * @param prefixCache shared prefix states of both models (keyed by each model's version)
   */
  public SpeculativeDecoder(CausalLm target, CausalLm draft, int lookahead,
      PrefixCache prefixCache) {
    if (lookahead < 1) {
      throw new IllegalArgumentException("lookahead must be at least 1, got " + lookahead);
    }
    checkSameVocabulary(target, draft);
    this.target = target;
    this.draft = draft;
    this.lookahead = lookahead;
    this.prefixCache = prefixCache;
  }

  public CausalLm target() {
    return target;
  }

  public CausalLm draft() {
    return draft;
  }

  public int lookahead() {
    return lookahead;
  }

  public GenerationResult generate(GenerationRequest request) {
    if (!request.sampling().isGreedy()) {
      throw new IllegalArgumentException("Request '" + request.id() + "': speculative decoding"
          + " supports greedy decoding only (temperature 0)");
    }
    Sequence sequence = target.newSequence(request);
    draft.newSequence(request); // checks the draft's position limit the same way
    int[] context = context(request);
    int vocab = target.config().vocabSize();
    long proposed = 0;
    long accepted = 0;
    long targetCalls = 0;
    long draftCalls = 0;

    Start targetStart = start(target, request, context);
    KvCache targetCache = targetStart.cache;
    float[] logits = targetStart.logits;
    targetCalls += targetStart.calls;
    sequence.begin(targetCache, new int[0], targetStart.cachedTokens);
    if (!sequence.isFinished()) {
      commitOrEnd(sequence, sequence.choose(logits, 0, sequence.dfaState(), 0));
    }
    Start draftStart = startDraft(request);
    KvCache draftCache = draftStart.cache;

    while (!sequence.isFinished()) {
      int[] committed = sequence.generatedTokens();
      int contextLength = context.length + committed.length;
      int remaining = request.maxNewTokens() - committed.length;
      int wanted = Math.min(lookahead, remaining - 1);

      // The draft catches up on committed tokens it has not seen, then proposes greedily.
      int[] proposals = new int[Math.max(0, wanted)];
      int count = 0;
      int state = sequence.dfaState();
      int generated = committed.length;
      int[] feed = tail(context, committed, draftCache.length(), contextLength);
      while (count < wanted) {
        float[] draftLogits = draft.model().forward(
            List.of(new DecoderModel.Row(draftCache, feed, true)), DecoderModel.Logits.LAST)[0];
        draftCalls++;
        Sampler.Choice choice = sequence.choose(draftLogits, 0, state, generated);
        if (choice == null) {
          break;
        }
        proposals[count++] = choice.token();
        state = sequence.stateAfter(state, choice.token());
        generated++;
        if (target.config().isEos(choice.token())
            || request.stopTokenIds().contains(choice.token())
            || sequence.constraintComplete(state)) {
          break;
        }
        feed = new int[] {choice.token()};
      }

      // The target scores the last committed token and every proposal in one call.
      int[] verify = new int[count + 1];
      verify[0] = sequence.lastToken();
      System.arraycopy(proposals, 0, verify, 1, count);
      float[] all = target.model().forward(
          List.of(new DecoderModel.Row(targetCache, verify, true)), DecoderModel.Logits.ALL)[0];
      targetCalls++;
      proposed += count;
      for (int j = 0; j <= count; j++) {
        Sampler.Choice choice = sequence.choose(all, j * vocab, sequence.dfaState(),
            sequence.generatedCount());
        boolean finished = commitOrEnd(sequence, choice);
        if (finished || j == count || choice.token() != proposals[j]) {
          break;
        }
        accepted++;
      }
      int agreed = context.length + sequence.generatedCount() - 1;
      targetCache.truncate(Math.min(targetCache.length(), agreed));
      draftCache.truncate(Math.min(draftCache.length(), agreed));
    }
    return sequence.result(Optional.of(new GenerationResult.SpeculationStats(proposed, accepted,
        targetCalls, draftCalls)));
  }

  /** Commits {@code choice}, or ends the sequence at a constraint dead end; true when finished. */
  private static boolean commitOrEnd(Sequence sequence, Sampler.Choice choice) {
    if (choice == null) {
      sequence.deadEnd();
      return true;
    }
    return sequence.commit(choice);
  }

  private record Start(KvCache cache, float[] logits, int cachedTokens, int calls) {}

  /** Prefix from the cache, then the rest of the prompt: cache and logits after the prompt. */
  private Start start(CausalLm lm, GenerationRequest request, int[] context) {
    int room = request.maxNewTokens() + lookahead + 2;
    if (request.prefixIds().length > 0) {
      CachedPrefix prefix = GenerationEngine.prefix(lm, prefixCache, request.prefixIds());
      KvCache cache = prefix.cache().copy(request.promptIds().length + room);
      if (request.promptIds().length == 0) {
        return new Start(cache, prefix.lastLogits(), request.prefixIds().length, 0);
      }
      float[] logits = lm.model().forward(List.of(new DecoderModel.Row(cache,
          request.promptIds(), true)), DecoderModel.Logits.LAST)[0];
      return new Start(cache, logits, request.prefixIds().length, 1);
    }
    KvCache cache = lm.model().newCache(context.length + room);
    float[] logits = lm.model().forward(List.of(new DecoderModel.Row(cache, context, true)),
        DecoderModel.Logits.LAST)[0];
    return new Start(cache, logits, 0, 1);
  }

  /** The draft starts from its cached prefix only; the loop feeds it the rest. */
  private Start startDraft(GenerationRequest request) {
    int room = request.promptLength() + request.maxNewTokens() + lookahead + 2;
    if (request.prefixIds().length > 0) {
      CachedPrefix prefix = GenerationEngine.prefix(draft, prefixCache, request.prefixIds());
      return new Start(prefix.cache().copy(room), prefix.lastLogits(), request.prefixIds().length,
          0);
    }
    return new Start(draft.model().newCache(room), null, 0, 0);
  }

  private int[] context(GenerationRequest request) {
    int[] context = new int[request.promptLength()];
    System.arraycopy(request.prefixIds(), 0, context, 0, request.prefixIds().length);
    System.arraycopy(request.promptIds(), 0, context, request.prefixIds().length,
        request.promptIds().length);
    if (context.length == 0) {
      int bos = target.config().bosTokenId();
      if (bos < 0) {
        throw new IllegalArgumentException("Empty prompt and the model config has no bos_token_id");
      }
      return new int[] {bos};
    }
    return context;
  }

  /** Tokens {@code [from, to)} of the prompt followed by the committed tokens. */
  private static int[] tail(int[] context, int[] committed, int from, int to) {
    int[] out = new int[to - from];
    for (int i = from; i < to; i++) {
      out[i - from] = i < context.length ? context[i] : committed[i - context.length];
    }
    return out;
  }

  private static void checkSameVocabulary(CausalLm target, CausalLm draft) {
    if (target.config().vocabSize() != draft.config().vocabSize()) {
      throw new IllegalArgumentException("Draft model '" + draft.name() + "' has vocab_size "
          + draft.config().vocabSize() + " but target '" + target.name() + "' has "
          + target.config().vocabSize() + "; a draft must share the target's tokenizer");
    }
    TokenBytes a = target.tokenizer().vocabulary();
    TokenBytes b = draft.tokenizer().vocabulary();
    for (int id = 0; id < target.config().vocabSize(); id++) {
      if (!Arrays.equals(a.bytes(id), b.bytes(id)) || a.isSpecial(id) != b.isSpecial(id)) {
        throw new IllegalArgumentException("Draft model '" + draft.name() + "' tokenizer differs"
            + " from target '" + target.name() + "' at token id " + id
            + "; a draft must share the target's tokenizer");
      }
    }
    if (!target.config().eosTokenIds().equals(draft.config().eosTokenIds())) {
      throw new IllegalArgumentException("Draft model '" + draft.name() + "' has eos ids "
          + draft.config().eosTokenIds() + " but target has " + target.config().eosTokenIds());
    }
  }
}
