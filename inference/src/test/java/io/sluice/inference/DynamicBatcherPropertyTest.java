package io.sluice.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class DynamicBatcherPropertyTest {

  private record Request(int caller, int id, int tokens) {}

  /** A model that records its batches and answers each request with its own identity. */
  private static final class RecordingModel {
    final List<List<Request>> batches = new CopyOnWriteArrayList<>();
    final Map<Request, AtomicInteger> calls = new ConcurrentHashMap<>();

    List<String> run(List<Request> batch) {
      batches.add(List.copyOf(batch));
      List<String> answers = new ArrayList<>();
      for (Request r : batch) {
        calls.computeIfAbsent(r, k -> new AtomicInteger()).incrementAndGet();
        answers.add(r.caller() + "/" + r.id());
      }
      return answers;
    }
  }

  @Property(tries = 25)
  void concurrentCallersEachGetTheirOwnResultExactlyOnceWithinLimits(
      @ForAll @IntRange(min = 1, max = 4) int callers,
      @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 1, max = 200) Integer> lengths,
      @ForAll @IntRange(min = 1, max = 16) int maxBatch,
      @ForAll @IntRange(min = 200, max = 2000) int budget,
      @ForAll @IntRange(min = 0, max = 2) int delayMillis,
      @ForAll @IntRange(min = 1, max = 3) int concurrency) throws Exception {
    RecordingModel model = new RecordingModel();
    BatchLimits limits = new BatchLimits(maxBatch, budget, Duration.ofMillis(delayMillis));
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try (DynamicBatcher<Request, String> batcher = new DynamicBatcher<>("test", limits,
        concurrency, Request::tokens, model::run, Ticker.system(), new SimpleMeterRegistry())) {
      List<CompletableFuture<List<CompletableFuture<String>>>> submitted = new ArrayList<>();
      for (int c = 0; c < callers; c++) {
        int caller = c;
        submitted.add(CompletableFuture.supplyAsync(() -> {
          List<CompletableFuture<String>> futures = new ArrayList<>();
          for (int i = 0; i < lengths.size(); i++) {
            futures.add(batcher.submit(new Request(caller, i, lengths.get(i))));
          }
          return futures;
        }, pool));
      }
      for (int c = 0; c < callers; c++) {
        List<CompletableFuture<String>> futures = submitted.get(c).get(10, TimeUnit.SECONDS);
        for (int i = 0; i < futures.size(); i++) {
          assertThat(futures.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(c + "/" + i);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(model.calls).hasSize(callers * lengths.size());
    assertThat(model.calls.values()).allMatch(count -> count.get() == 1);
    for (List<Request> batch : model.batches) {
      assertThat(batch).hasSizeLessThanOrEqualTo(maxBatch);
      int longest = batch.stream().mapToInt(Request::tokens).max().orElseThrow();
      if (batch.size() > 1) {
        assertThat((long) batch.size() * longest).isLessThanOrEqualTo(budget);
      }
    }
  }

  @Property(tries = 10)
  void aFailingBatchFailsOnlyItsOwnCallers(
      @ForAll @Size(min = 2, max = 30) List<@IntRange(min = 1, max = 50) Integer> lengths) {
    BatchLimits limits = new BatchLimits(4, 10_000, Duration.ZERO);
    try (DynamicBatcher<Request, String> batcher = new DynamicBatcher<>("failing", limits,
        Request::tokens, batch -> {
          if (batch.stream().anyMatch(r -> r.id() == 0)) {
            throw new IllegalStateException("model broke");
          }
          return batch.stream().map(r -> "ok" + r.id()).toList();
        }, Ticker.system(), new SimpleMeterRegistry())) {
      List<CompletableFuture<String>> futures = new ArrayList<>();
      for (int i = 0; i < lengths.size(); i++) {
        futures.add(batcher.submit(new Request(0, i, lengths.get(i))));
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
          .exceptionally(e -> null).join();
      assertThat(futures.get(0)).isCompletedExceptionally();
      long failed = futures.stream().filter(CompletableFuture::isCompletedExceptionally).count();
      assertThat(failed).isLessThanOrEqualTo(4);
      for (int i = 0; i < futures.size(); i++) {
        if (!futures.get(i).isCompletedExceptionally()) {
          assertThat(futures.get(i).join()).isEqualTo("ok" + i);
        }
      }
    }
  }
}
