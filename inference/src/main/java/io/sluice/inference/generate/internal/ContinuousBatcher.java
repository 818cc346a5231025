package io.sluice.inference.generate.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Continuous batching over one decoder model: sequences wait in arrival order, join the running
 * batch whenever it has room, and leave it the moment they finish, so a long request does not
 * hold short ones back and a slot freed by one sequence is refilled at the next step.
 *
 * <p>Each {@link #step} does at most two kinds of model call. First the sequences admitted in this
 * step are prefilled together (their prompts, after any cached prefix, right-padded; in several
 * calls when they would exceed the token budget) and each picks its first token. Then every
 * sequence already running advances by one token in a single call. Prefill and decode are kept in
 * separate calls so that one-token decode rows are never padded to a prompt's length.
 *
 * <p>Not thread-safe: one thread (the engine's, or a test's) drives it. Results are delivered by
 * completing each sequence's future.
 */
public final class ContinuousBatcher {

  /** Counters since creation. */
  public record Stats(long modelCalls, long prefillTokens, long decodeRows, long decodeCalls,
      long generatedTokens) {}

  private final DecoderModel model;
  private final PrefixSource prefixes;
  private final int maxBatchSize;
  private final int maxBatchTokens;
  private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
  private final List<Sequence> active = new ArrayList<>();
  private long modelCalls;
  private long prefillTokens;
  private long decodeRows;
  private long decodeCalls;
  private long generatedTokens;

  public ContinuousBatcher(DecoderModel model, PrefixSource prefixes, int maxBatchSize,
      int maxBatchTokens) {
    if (maxBatchSize < 1 || maxBatchTokens < 1) {
      throw new IllegalArgumentException("maxBatchSize and maxBatchTokens must be positive");
    }
    this.model = model;
    this.prefixes = prefixes;
    this.maxBatchSize = maxBatchSize;
    this.maxBatchTokens = maxBatchTokens;
  }

  public void add(Sequence sequence) {
    waiting.add(sequence);
  }

  public boolean hasWork() {
    return !waiting.isEmpty() || !active.isEmpty();
  }

  public int activeCount() {
    return active.size();
  }

  public int waitingCount() {
    return waiting.size();
  }

  public Stats stats() {
    return new Stats(modelCalls, prefillTokens, decodeRows, decodeCalls, generatedTokens);
  }

  /** Admits, prefills, decodes one token for every running sequence, and retires the finished. */
  public void step() {
    List<Sequence> running = new ArrayList<>(active);
    List<Sequence> admitted = new ArrayList<>();
    while (active.size() < maxBatchSize && !waiting.isEmpty()) {
      Sequence sequence = waiting.poll();
      if (sequence.future().isDone()) {
        continue; // cancelled while it waited (its deadline passed): never admitted
      }
      try {
        admit(sequence);
        active.add(sequence);
        admitted.add(sequence);
      } catch (RuntimeException e) {
        sequence.future().completeExceptionally(e);
      }
    }
    List<Sequence> prefill = new ArrayList<>();
    for (Sequence s : admitted) {
      if (!s.isFinished() && s.pending().length > 0) {
        prefill.add(s);
      }
    }
    for (List<Sequence> chunk : chunks(prefill)) {
      run(chunk, true);
    }
    List<Sequence> decode = new ArrayList<>();
    for (Sequence s : running) {
      if (!s.isFinished() && !s.future().isDone()) {
        decode.add(s);
      }
    }
    if (!decode.isEmpty()) {
      run(decode, false);
    }
    retire();
  }

  private void admit(Sequence sequence) {
    int[] prefix = sequence.request().prefixIds();
    int[] prompt = sequence.request().promptIds();
    int room = sequence.request().maxNewTokens() + 1;
    if (prefix.length > 0) {
      CachedPrefix cached = prefixes.prefix(prefix);
      sequence.begin(cached.cache().copy(prompt.length + room), prompt, prefix.length);
      if (prompt.length == 0 && !sequence.isFinished()) {
        accept(sequence, cached.lastLogits(), 0);
      }
    } else {
      int[] feed = prompt.length > 0 ? prompt : new int[] {bos()};
      sequence.begin(model.newCache(feed.length + room), feed, 0);
    }
  }

  private int bos() {
    int bos = model.config().bosTokenId();
    if (bos < 0) {
      throw new IllegalArgumentException("Empty prompt and the model config has no bos_token_id");
    }
    return bos;
  }

  private List<List<Sequence>> chunks(List<Sequence> sequences) {
    List<List<Sequence>> out = new ArrayList<>();
    List<Sequence> current = new ArrayList<>();
    int longest = 0;
    for (Sequence s : sequences) {
      int length = s.pending().length;
      int widened = Math.max(longest, length) * (current.size() + 1);
      if (!current.isEmpty() && widened > maxBatchTokens) {
        out.add(current);
        current = new ArrayList<>();
        longest = 0;
      }
      current.add(s);
      longest = Math.max(longest, length);
    }
    if (!current.isEmpty()) {
      out.add(current);
    }
    return out;
  }

  private void run(List<Sequence> batch, boolean isPrefill) {
    List<DecoderModel.Row> rows = new ArrayList<>(batch.size());
    for (Sequence s : batch) {
      rows.add(new DecoderModel.Row(s.cache(), s.pending(), true));
    }
    float[][] logits;
    try {
      logits = model.forward(rows, DecoderModel.Logits.LAST);
    } catch (RuntimeException e) {
      for (Sequence s : batch) {
        s.future().completeExceptionally(e);
        active.remove(s);
      }
      return;
    }
    modelCalls++;
    if (isPrefill) {
      for (Sequence s : batch) {
        prefillTokens += s.pending().length;
      }
    } else {
      decodeCalls++;
      decodeRows += batch.size();
    }
    for (int b = 0; b < batch.size(); b++) {
      accept(batch.get(b), logits[b], 0);
    }
  }

  private void accept(Sequence s, float[] logits, int offset) {
    Sampler.Choice choice = s.choose(logits, offset, s.dfaState(), s.generatedCount());
    if (choice == null) {
      s.deadEnd();
      return;
    }
    generatedTokens++;
    if (!s.commit(choice)) {
      s.setPending(new int[] {choice.token()});
    }
  }

  private void retire() {
    for (int i = active.size() - 1; i >= 0; i--) {
      Sequence s = active.get(i);
      if (s.isFinished()) {
        active.remove(i);
        s.future().complete(s.result(Optional.empty()));
      } else if (s.future().isDone()) {
        active.remove(i);
      }
    }
  }

  /** Fails every sequence, running or waiting (the engine is closing). */
  public void failAll(RuntimeException cause) {
    for (Sequence s : active) {
      s.future().completeExceptionally(cause);
    }
    for (Sequence s : waiting) {
      s.future().completeExceptionally(cause);
    }
    active.clear();
    waiting.clear();
  }
}
