package io.sluice.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DynamicBatcherTest {

  /** A ticker moved by hand. */
  private static final class ManualTicker implements Ticker {
    final AtomicLong nanos = new AtomicLong();

    @Override
    public long read() {
      return nanos.get();
    }

    void advance(Duration by) {
      nanos.addAndGet(by.toNanos());
    }
  }

  private final List<List<Integer>> batches = new CopyOnWriteArrayList<>();

  private List<Integer> echo(List<Integer> batch) {
    batches.add(List.copyOf(batch));
    return batch;
  }

  @Test
  void waitsForCompanionsOnlyUntilTheMaxDelayHasPassedOnTheTicker() {
    ManualTicker ticker = new ManualTicker();
    BatchLimits limits = new BatchLimits(8, 10_000, Duration.ofSeconds(60));
    try (DynamicBatcher<Integer, Integer> batcher = new DynamicBatcher<>("delay", limits,
        i -> 1, this::echo, ticker, new SimpleMeterRegistry())) {
      CompletableFuture<Integer> first = batcher.submit(1);
      await().atMost(5, TimeUnit.SECONDS).until(batcher::isWaitingForCompanions);
      CompletableFuture<Integer> second = batcher.submit(2);

      ticker.advance(Duration.ofSeconds(59));
      assertThat(first).isNotDone();

      ticker.advance(Duration.ofSeconds(2));
      await().atMost(5, TimeUnit.SECONDS).until(() -> first.isDone() && second.isDone());
      assertThat(batches).containsExactly(List.of(1, 2));
    }
  }

  @Test
  void runsAtOnceWhenABatchIsFullWithoutWaitingForTheDelay() {
    ManualTicker ticker = new ManualTicker();
    BatchLimits limits = new BatchLimits(3, 10_000, Duration.ofHours(1));
    try (DynamicBatcher<Integer, Integer> batcher = new DynamicBatcher<>("full", limits,
        i -> 1, this::echo, ticker, new SimpleMeterRegistry())) {
      List<CompletableFuture<Integer>> futures = batcher.submitAll(List.of(1, 2, 3));

      await().atMost(5, TimeUnit.SECONDS).until(() -> futures.stream()
          .allMatch(CompletableFuture::isDone));
      assertThat(batches).containsExactly(List.of(1, 2, 3));
    }
  }

  @Test
  void takesWhatQueuedDuringABatchWithoutWaitingAgain() throws Exception {
    ManualTicker ticker = new ManualTicker();
    CountDownLatch firstBatchRunning = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    BatchLimits limits = new BatchLimits(8, 10_000, Duration.ofHours(1));
    try (DynamicBatcher<Integer, Integer> batcher = new DynamicBatcher<>("busy", limits, i -> 1,
        batch -> {
          if (batch.contains(0)) {
            firstBatchRunning.countDown();
            awaitLatch(release);
          }
          return echo(batch);
        }, ticker, new SimpleMeterRegistry())) {
      CompletableFuture<Integer> first = batcher.submit(0);
      await().atMost(5, TimeUnit.SECONDS).until(batcher::isWaitingForCompanions);
      ticker.advance(Duration.ofHours(2));
      firstBatchRunning.await(5, TimeUnit.SECONDS);
      List<CompletableFuture<Integer>> queued = batcher.submitAll(List.of(1, 2));
      release.countDown();

      // The ticker no longer moves: these run only because they queued while the model was busy.
      await().atMost(5, TimeUnit.SECONDS).until(() -> first.isDone()
          && queued.stream().allMatch(CompletableFuture::isDone));
      assertThat(batches).containsExactly(List.of(0), List.of(1, 2));
    }
  }

  @Test
  void refusesWorkAfterCloseAndFinishesWhatWasQueued() {
    DynamicBatcher<Integer, Integer> batcher = new DynamicBatcher<>("closing",
        new BatchLimits(4, 100, Duration.ZERO), i -> 1, this::echo, Ticker.system(),
        new SimpleMeterRegistry());
    CompletableFuture<Integer> before = batcher.submit(7);

    batcher.close();

    assertThat(before).isCompletedWithValue(7);
    assertThat(batcher.submit(8)).isCompletedExceptionally();
  }

  @Test
  void recordsQueueWaitOnTheInjectedTicker() {
    ManualTicker ticker = new ManualTicker();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (DynamicBatcher<Integer, Integer> batcher = new DynamicBatcher<>("meters",
        new BatchLimits(4, 100, Duration.ofSeconds(10)), i -> 1, this::echo, ticker, registry)) {
      CompletableFuture<Integer> result = batcher.submit(1);
      await().atMost(5, TimeUnit.SECONDS).until(batcher::isWaitingForCompanions);
      ticker.advance(Duration.ofSeconds(11));
      await().atMost(5, TimeUnit.SECONDS).until(result::isDone);
    }
    assertThat(registry.get(InferenceMeter.QUEUE_WAIT.meterName()).timer()
        .totalTime(TimeUnit.SECONDS)).isGreaterThanOrEqualTo(10.0);
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
