package io.sluice.inference.generate.internal;

import io.sluice.inference.generate.DecoderConfig;
import io.sluice.inference.generate.FinishReason;
import io.sluice.inference.generate.GenerationRequest;
import io.sluice.inference.generate.GenerationResult;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntPredicate;

/**
 * One request while it is being decoded: its cache, the tokens waiting to be fed, what it has
 * generated, its constraint state, and the rules that pick and stop.
 *
 * <p>Choosing is separate from committing ({@link #choose} reads an explicit constraint state and
 * token count; {@link #commit} changes this sequence) so that speculative decoding can let the
 * draft propose under the same rules without touching the real state, then commit only what the
 * target confirms.
 */
public final class Sequence {

  private final GenerationRequest request;
  private final DecoderConfig config;
  private final TokenBytes vocabulary;
  private final TokenMasks masks;
  private final SplittableRandom random;
  private final CompletableFuture<GenerationResult> future = new CompletableFuture<>();

  private KvCache cache;
  private int[] pending;
  private int cachedPrefixTokens;
  private int[] generated;
  private int count;
  private int dfaState;
  private double sumLogProb;
  private byte[] text = new byte[64];
  private int textLength;
  private int emittedBytes;
  private FinishReason finish;

  public Sequence(GenerationRequest request, DecoderConfig config, TokenBytes vocabulary,
      TokenMasks masks) {
    this.request = request;
    this.config = config;
    this.vocabulary = vocabulary;
    this.masks = masks;
    this.random = new SplittableRandom(request.sampling().seed());
    this.generated = new int[Math.min(request.maxNewTokens(), 256)];
    this.dfaState = masks == null ? 0 : masks.dfa().start();
    if (config.maxPositions() > 0
        && Math.max(1, request.promptLength()) + request.maxNewTokens() > config.maxPositions()) {
      throw new IllegalArgumentException("Request '" + request.id() + "': prompt of "
          + request.promptLength() + " tokens plus maxNewTokens " + request.maxNewTokens()
          + " exceeds the model's max_position_embeddings " + config.maxPositions());
    }
    if (masks != null && masks.dfa().distance(dfaState) > request.maxNewTokens()) {
      throw new IllegalArgumentException("Request '" + request.id() + "': the output constraint"
          + " needs at least " + masks.dfa().distance(dfaState) + " bytes but maxNewTokens is "
          + request.maxNewTokens());
    }
  }

  public GenerationRequest request() {
    return request;
  }

  public CompletableFuture<GenerationResult> future() {
    return future;
  }

  /**
   * Installs the cache (a writable copy of the cached prefix, or empty) and the tokens still to
   * feed. With nothing to feed, the caller supplies the prefix's last logits to {@link #choose}.
   */
  public void begin(KvCache writableCache, int[] toFeed, int cachedTokens) {
    this.cache = writableCache;
    this.pending = toFeed;
    this.cachedPrefixTokens = cachedTokens;
    if (masks != null && masks.dfa().accepting(dfaState) && !masks.dfa().canContinue(dfaState)) {
      finish = FinishReason.CONSTRAINT_COMPLETE;
    }
  }

  public KvCache cache() {
    return cache;
  }

  /** Tokens to feed in the next forward pass (empty when logits are already known). */
  public int[] pending() {
    return pending;
  }

  public void setPending(int[] tokens) {
    this.pending = tokens;
  }

  public int dfaState() {
    return dfaState;
  }

  public int generatedCount() {
    return count;
  }

  public int lastToken() {
    return generated[count - 1];
  }

  public int[] generatedTokens() {
    return Arrays.copyOf(generated, count);
  }

  /** Finished, or failed (its future already completed, e.g. by a throwing listener). */
  public boolean isFinished() {
    return finish != null || future.isDone();
  }

  /** The constraint state after {@code token}, or the same state when unconstrained. */
  public int stateAfter(int state, int token) {
    if (masks == null || config.isEos(token)) {
      return state;
    }
    byte[] bytes = vocabulary.bytes(token);
    return bytes == null ? state : masks.dfa().run(state, bytes);
  }

  /** Whether generation must end right after reaching {@code state} by a non-stop token. */
  public boolean constraintComplete(int state) {
    return masks != null && masks.dfa().accepting(state) && !masks.dfa().canContinue(state);
  }

  /**
   * Picks a token from logits at {@code offset}, as if {@code generatedSoFar} tokens had been
   * generated and the constraint were in {@code state}; returns null at a constraint dead end.
   */
  public Sampler.Choice choose(float[] logits, int offset, int state, int generatedSoFar) {
    boolean eosAllowed = generatedSoFar >= request.minNewTokens();
    if (masks == null) {
      IntPredicate banned = eosAllowed ? id -> false : config::isEos;
      return Sampler.choose(logits, offset, config.vocabSize(), null, banned, request.sampling(),
          random);
    }
    int[] candidates = candidates(state, generatedSoFar, eosAllowed);
    if (candidates.length == 0) {
      return null;
    }
    return Sampler.choose(logits, offset, config.vocabSize(), candidates, id -> false,
        request.sampling(), random);
  }

  private int[] candidates(int state, int generatedSoFar, boolean eosAllowed) {
    TokenMasks.Allowed allowed = masks.allowed(state);
    int budget = request.maxNewTokens() - generatedSoFar - 1;
    int[] out = new int[allowed.tokens().length + config.eosTokenIds().size()];
    int n = 0;
    for (int i = 0; i < allowed.tokens().length; i++) {
      if (allowed.distance()[i] <= budget && allowed.tokens()[i] < config.vocabSize()) {
        out[n++] = allowed.tokens()[i];
      }
    }
    boolean accepting = masks.dfa().accepting(state);
    if (accepting && (eosAllowed || n == 0)) {
      for (int eos : config.eosTokenIds()) {
        out[n++] = eos;
      }
    }
    if (n == 0) {
      // Only a vocabulary without single-byte tokens gets here: keep the shape, not the budget.
      for (int i = 0; i < allowed.tokens().length; i++) {
        if (allowed.tokens()[i] < config.vocabSize()) {
          out[n++] = allowed.tokens()[i];
        }
      }
    }
    return Arrays.copyOf(out, n);
  }

  /** Ends the sequence at a constraint dead end (no token can continue). */
  public void deadEnd() {
    finish = FinishReason.CONSTRAINT_DEAD_END;
  }

  /** Appends the chosen token and decides whether the sequence is finished. */
  public boolean commit(Sampler.Choice choice) {
    int token = choice.token();
    if (count == generated.length) {
      generated = Arrays.copyOf(generated, Math.min(request.maxNewTokens(), count * 2));
    }
    generated[count++] = token;
    sumLogProb += choice.logProb();
    dfaState = stateAfter(dfaState, token);
    byte[] bytes = vocabulary.bytes(token);
    if (bytes != null) {
      appendText(bytes);
    }
    emit(token);
    if (future.isDone()) {
      return true;
    }
    if (config.isEos(token)) {
      finish = FinishReason.EOS;
    } else if (request.stopTokenIds().contains(token)) {
      finish = FinishReason.STOP_TOKEN;
    } else if (stopStringIndex() >= 0) {
      finish = FinishReason.STOP_STRING;
    } else if (constraintComplete(dfaState)) {
      finish = FinishReason.CONSTRAINT_COMPLETE;
    } else if (count >= request.maxNewTokens()) {
      finish = FinishReason.MAX_TOKENS;
    }
    return finish != null;
  }

  public GenerationResult result(Optional<GenerationResult.SpeculationStats> speculation) {
    String full = new String(text, 0, textLength, StandardCharsets.UTF_8);
    if (finish == FinishReason.STOP_STRING) {
      full = full.substring(0, stopStringIndex());
    }
    return new GenerationResult(request.id(), generatedTokens(), full,
        finish == null ? FinishReason.MAX_TOKENS : finish, count == 0 ? 0 : sumLogProb / count,
        request.promptLength(), cachedPrefixTokens, speculation);
  }

  private int stopStringIndex() {
    if (request.stopStrings().isEmpty()) {
      return -1;
    }
    String full = new String(text, 0, textLength, StandardCharsets.UTF_8);
    int first = -1;
    for (String stop : request.stopStrings()) {
      int at = full.indexOf(stop);
      if (at >= 0 && (first < 0 || at < first)) {
        first = at;
      }
    }
    return first;
  }

  private void appendText(byte[] bytes) {
    if (textLength + bytes.length > text.length) {
      text = Arrays.copyOf(text, Math.max(text.length * 2, textLength + bytes.length));
    }
    System.arraycopy(bytes, 0, text, textLength, bytes.length);
    textLength += bytes.length;
  }

  private void emit(int token) {
    int complete = Utf8.completePrefix(text, textLength);
    String delta = complete > emittedBytes
        ? new String(text, emittedBytes, complete - emittedBytes, StandardCharsets.UTF_8) : "";
    emittedBytes = Math.max(emittedBytes, complete);
    try {
      request.listener().onToken(request.id(), token, delta);
    } catch (RuntimeException e) {
      // The listener's fault ends its own request only, not the batch it shares.
      future.completeExceptionally(new IllegalStateException("Token listener of request '"
          + request.id() + "' failed: " + e.getMessage(), e));
    }
  }
}
