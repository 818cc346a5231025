package io.sluice.inference.generate;

import io.sluice.inference.InferenceException;
import io.sluice.inference.generate.internal.CachedPrefix;
import io.sluice.inference.generate.internal.ContinuousBatcher;
import io.sluice.inference.generate.internal.Sequence;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Generates text with one {@link CausalLm}, batching every request in flight: {@link #submit}
 * returns at once with a future, and one worker thread runs continuous batching (requests join the
 * running batch as slots free up and leave it when they finish; see the internal
 * {@code ContinuousBatcher}). Shared prompt prefixes come from a {@link PrefixCache}.
 *
 * <p>A record-level batcher (the stream operator's, or the HTTP API's) feeds it by calling
 * {@link #submit} for each record and completing its own futures from the returned ones; several
 * callers may submit concurrently. Every request's output equals what it gives alone (padding is
 * masked and each sampled request has its own seeded generator).
 */
public final class GenerationEngine implements AutoCloseable {

  /** What the engine has done so far. */
  public record Stats(long modelCalls, long prefillTokens, long decodeCalls, long decodeRows,
      long generatedTokens, PrefixCache.Stats prefixCache) {

    /** Mean sequences per decode call: how well batching worked. */
    public double meanDecodeBatch() {
      return decodeCalls == 0 ? 0 : (double) decodeRows / decodeCalls;
    }
  }

  private final CausalLm lm;
  private final PrefixCache prefixCache;
  private final ContinuousBatcher batcher;
  private final LinkedBlockingQueue<Sequence> inbox = new LinkedBlockingQueue<>();
  private final Object lifecycle = new Object();
  private volatile ContinuousBatcher.Stats lastStats = new ContinuousBatcher.Stats(0, 0, 0, 0, 0);
  /** Futures of requests submitted; done ones are dropped when counted. */
  private final java.util.Set<CompletableFuture<GenerationResult>> inFlight =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  private Thread worker;

  public GenerationEngine(CausalLm lm, EngineSettings settings) {
    this(lm, settings, new PrefixCache(settings.prefixCacheBytes()));
  }

  public GenerationEngine(CausalLm lm, EngineSettings settings, PrefixCache prefixCache) {
    this.lm = lm;
    this.prefixCache = prefixCache;
    this.batcher = new ContinuousBatcher(lm.model(), ids -> prefix(lm, prefixCache, ids),
        settings.maxBatchSize(), settings.maxBatchTokens());
  }

  static CachedPrefix prefix(CausalLm lm, PrefixCache cache, int[] ids) {
    return cache.get(lm.version(), ids, () -> CachedPrefix.compute(lm.model(), ids));
  }

  public CausalLm model() {
    return lm;
  }

  public PrefixCache prefixCache() {
    return prefixCache;
  }

  /** Queues {@code request}; the future fails with the reason if it cannot be run. */
  public CompletableFuture<GenerationResult> submit(GenerationRequest request) {
    if (closed) {
      return CompletableFuture.failedFuture(new InferenceException("Generation engine for model '"
          + lm.name() + "' is closed"));
    }
    Sequence sequence;
    try {
      sequence = lm.newSequence(request);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    inFlight.add(sequence.future());
    sequence.future().whenComplete((r, e) -> inFlight.remove(sequence.future()));
    inbox.add(sequence);
    startWorker();
    if (closed && inbox.remove(sequence)) {
      sequence.future().completeExceptionally(new InferenceException("Generation engine for model '"
          + lm.name() + "' is closed"));
    }
    return sequence.future();
  }

  /** Runs every request (batched together) and waits for all of them. */
  public List<GenerationResult> generateAll(List<GenerationRequest> requests) {
    List<CompletableFuture<GenerationResult>> futures = new ArrayList<>();
    for (GenerationRequest r : requests) {
      futures.add(submit(r));
    }
    List<GenerationResult> out = new ArrayList<>();
    for (CompletableFuture<GenerationResult> f : futures) {
      out.add(join(f));
    }
    return out;
  }

  public GenerationResult generate(GenerationRequest request) {
    return join(submit(request));
  }

  /** Requests submitted and not yet finished (waiting or decoding): the queue a server bounds. */
  public int inFlight() {
    inFlight.removeIf(CompletableFuture::isDone);
    return inFlight.size();
  }

  public Stats stats() {
    ContinuousBatcher.Stats s = lastStats;
    return new Stats(s.modelCalls(), s.prefillTokens(), s.decodeCalls(), s.decodeRows(),
        s.generatedTokens(), prefixCache.stats());
  }

  private static GenerationResult join(CompletableFuture<GenerationResult> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  private void startWorker() {
    synchronized (lifecycle) {
      if (worker == null && !closed) {
        worker = new Thread(this::work, "sluice-generate-" + lm.name());
        worker.setDaemon(true);
        worker.start();
      }
    }
  }

  private void work() {
    try {
      while (!closed) {
        if (!batcher.hasWork()) {
          batcher.add(inbox.take());
        }
        for (Sequence s = inbox.poll(); s != null; s = inbox.poll()) {
          batcher.add(s);
        }
        try {
          batcher.step();
        } catch (RuntimeException e) {
          // A fault outside any one model call: fail what is in flight, keep serving new work.
          batcher.failAll(e);
        }
        lastStats = batcher.stats();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      InferenceException stopped = new InferenceException("Generation engine for model '"
          + lm.name() + "' stopped before the request finished");
      batcher.failAll(stopped);
      for (Sequence s = inbox.poll(); s != null; s = inbox.poll()) {
        s.future().completeExceptionally(stopped);
      }
    }
  }

  /** Stops the worker; requests still queued or running fail. Does not close the model. */
  @Override
  public void close() {
    Thread toJoin;
    synchronized (lifecycle) {
      closed = true;
      toJoin = worker;
    }
    if (toJoin != null) {
      toJoin.interrupt();
      try {
        toJoin.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Sequence s = inbox.poll(); s != null; s = inbox.poll()) {
      s.future().completeExceptionally(new InferenceException("Generation engine for model '"
          + lm.name() + "' is closed"));
    }
  }
}
