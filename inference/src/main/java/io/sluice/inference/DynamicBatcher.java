package io.sluice.inference;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Gathers requests from concurrent callers into model calls and completes each caller's future
 * with its own result.
 *
 * <p>Design. One worker thread owns the model calls. Callers append to a FIFO queue under a lock
 * and get a future. The worker follows LMAX Disruptor's batch processor: whatever is already
 * queued when it comes back is taken at once, without waiting on a timer; only when it finds the
 * queue empty does it wait for the first request and then up to {@link BatchLimits#maxDelay()}
 * for companions, stopping early once a full batch ({@link BatchLimits#maxBatchSize()} or the
 * token budget) is queued. It takes at most four batches' worth of the oldest requests, lets a
 * {@link BatchPlanner} group them by token length, and runs the planned batches outside the lock,
 * so callers keep appending meanwhile. With {@code concurrency} above one (one per model session),
 * up to that many batches run at once on runner threads, and the worker comes back to the queue
 * as soon as a slot frees. A failed model call fails only the futures of its batch; the worker
 * carries on.
 *
 * <p>Time comes from an injected {@link Ticker}. Waits on the real condition are sliced to at
 * most 10 ms so that a test's hand-moved ticker is noticed without extra signals.
 *
 * <p>{@link #close()} stops intake (later submits fail), runs what is queued and stops the
 * worker.
 *
 * @param <I> a request
 * @param <O> its result
 */
public final class DynamicBatcher<I, O> implements AutoCloseable {

  private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final int WINDOW_BATCHES = 4;

  private final String name;
  private final BatchPlanner planner;
  private final ToIntFunction<? super I> tokenLength;
  private final Function<List<I>, List<O>> model;
  private final Ticker ticker;
  private final Timer queueWait;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Pending<I, O>> queue = new ArrayDeque<>();
  private final Thread worker;
  private final int concurrency;
  private final Semaphore slots;
  private final ExecutorService runners;
  private boolean closed;
  private boolean waitingForCompanions;
  // The worker starts idle: the first request, like any that finds it idle, may wait for company.
  private boolean idle = true;

  private record Pending<I, O>(I item, int tokens, long enqueuedAt, CompletableFuture<O> result) {}

  /**
   * Starts a batcher that runs one batch at a time.
   *
   * @param name for the worker thread, errors and the meter tag
   * @param limits batch size, token budget and max delay
   * @param tokenLength the token count of a request
   * @param model runs one batch and returns one result per request, in order
   */
  public DynamicBatcher(String name, BatchLimits limits, ToIntFunction<? super I> tokenLength,
      Function<List<I>, List<O>> model, Ticker ticker, MeterRegistry registry) {
    this(name, limits, 1, tokenLength, model, ticker, registry);
  }

  /**
   * Starts a batcher that runs up to {@code concurrency} batches at once (use the number of model
   * sessions).
   */
  public DynamicBatcher(String name, BatchLimits limits, int concurrency,
      ToIntFunction<? super I> tokenLength, Function<List<I>, List<O>> model, Ticker ticker,
      MeterRegistry registry) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
    }
    this.name = Objects.requireNonNull(name, "name");
    this.planner = new BatchPlanner(limits);
    this.tokenLength = Objects.requireNonNull(tokenLength, "tokenLength");
    this.model = Objects.requireNonNull(model, "model");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.concurrency = concurrency;
    this.slots = new Semaphore(concurrency);
    this.runners = concurrency == 1 ? null : Executors.newFixedThreadPool(concurrency, runnable -> {
      Thread thread = new Thread(runnable, "sluice-batcher-" + name + "-runner");
      thread.setDaemon(true);
      return thread;
    });
    this.queueWait = InferenceMeter.QUEUE_WAIT.timer(registry, name);
    InferenceMeter.QUEUE_DEPTH.gauge(registry, name, this::queued);
    this.worker = new Thread(this::work, "sluice-batcher-" + name);
    this.worker.setDaemon(true);
    this.worker.start();
  }

  /** Queues one request; the future completes with its result or the model's failure. */
  public CompletableFuture<O> submit(I item) {
    CompletableFuture<O> result = new CompletableFuture<>();
    int tokens = tokenLength.applyAsInt(item);
    lock.lock();
    try {
      if (closed) {
        result.completeExceptionally(new InferenceException("Batcher '" + name + "' is closed"));
        return result;
      }
      queue.addLast(new Pending<>(item, tokens, ticker.read(), result));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    return result;
  }

  /** Queues several requests at once; futures in input order. */
  public List<CompletableFuture<O>> submitAll(List<I> items) {
    List<CompletableFuture<O>> results = new ArrayList<>(items.size());
    for (I item : items) {
      results.add(submit(item));
    }
    return results;
  }

  /** Requests waiting for a model call. */
  public int queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /** Whether the worker holds a partial batch and waits for companions (for tests). */
  boolean isWaitingForCompanions() {
    lock.lock();
    try {
      return waitingForCompanions;
    } finally {
      lock.unlock();
    }
  }

  public BatchLimits limits() {
    return planner.limits();
  }

  /** Stops intake, runs what is queued, and waits up to {@code timeout} for the worker. */
  public void shutdown(Duration timeout) {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      worker.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    shutdown(Duration.ofSeconds(30));
  }

  private void work() {
    while (true) {
      slots.acquireUninterruptibly();
      List<Pending<I, O>> taken = take();
      if (taken == null) {
        slots.release();
        break;
      }
      boolean holdingSlot = true;
      for (BatchPlanner.PlannedBatch<Pending<I, O>> batch
          : planner.plan(taken, Pending::tokens)) {
        if (!holdingSlot) {
          slots.acquireUninterruptibly();
        }
        holdingSlot = false;
        if (runners == null) {
          runAndRelease(batch.items());
        } else {
          runners.execute(() -> runAndRelease(batch.items()));
        }
      }
    }
    // Closed and drained: wait for the batches still running, then stop the runners.
    slots.acquireUninterruptibly(concurrency);
    if (runners != null) {
      runners.shutdown();
    }
  }

  private void runAndRelease(List<Pending<I, O>> batch) {
    try {
      long start = ticker.read();
      for (Pending<I, O> pending : batch) {
        queueWait.record(start - pending.enqueuedAt(), TimeUnit.NANOSECONDS);
      }
      run(batch);
    } finally {
      slots.release();
    }
  }

  /** Blocks until there is work; returns null once closed and drained. */
  private List<Pending<I, O>> take() {
    lock.lock();
    try {
      boolean foundEmpty = idle;
      idle = false;
      while (queue.isEmpty()) {
        if (closed) {
          return null;
        }
        foundEmpty = true;
        changed.awaitUninterruptibly();
      }
      BatchLimits limits = planner.limits();
      if (foundEmpty && !limits.maxDelay().isZero()) {
        long deadline = queue.peekFirst().enqueuedAt() + limits.maxDelay().toNanos();
        waitingForCompanions = true;
        try {
          long now;
          while (!closed && !full(limits) && (now = ticker.read()) - deadline < 0) {
            changed.awaitNanos(Math.min(deadline - now, SLICE_NANOS));
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          waitingForCompanions = false;
        }
      }
      int window = limits.maxBatchSize() * WINDOW_BATCHES;
      List<Pending<I, O>> taken = new ArrayList<>(Math.min(window, queue.size()));
      while (!queue.isEmpty() && taken.size() < window) {
        taken.add(queue.pollFirst());
      }
      return taken;
    } finally {
      lock.unlock();
    }
  }

  /** Whether the queue already holds a full batch by size or by token budget. */
  private boolean full(BatchLimits limits) {
    if (queue.size() >= limits.maxBatchSize()) {
      return true;
    }
    int longest = 0;
    for (Pending<I, O> pending : queue) {
      longest = Math.max(longest, pending.tokens());
    }
    return !limits.fits(queue.size() + 1, longest);
  }

  private void run(List<Pending<I, O>> batch) {
    List<I> items = new ArrayList<>(batch.size());
    for (Pending<I, O> pending : batch) {
      items.add(pending.item());
    }
    try {
      List<O> results = model.apply(items);
      if (results == null || results.size() != items.size()) {
        throw new InferenceException("Batcher '" + name + "': the model returned "
            + (results == null ? "nothing" : results.size() + " results") + " for "
            + items.size() + " requests");
      }
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).result().complete(results.get(i));
      }
    } catch (RuntimeException | Error e) {
      for (Pending<I, O> pending : batch) {
        pending.result().completeExceptionally(e);
      }
    }
  }
}
