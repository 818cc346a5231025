package io.sluice.lab.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.inference.generate.CausalLm;
import io.sluice.inference.generate.EngineSettings;
import io.sluice.inference.generate.GenerationEngine;
import io.sluice.runtime.admin.AdminSettings;
import io.sluice.runtime.openai.OpenAiApi;
import io.sluice.runtime.openai.OpenAiServer;
import io.sluice.runtime.openai.ServedModels;
import io.sluice.topology.testing.KeywordTextModels;
import io.sluice.topology.testing.OpenDecoders;
import io.sluice.topology.testing.PipelineTestDriver;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Serving figures of one decoder, batched and one at a time side by side in one run: through the
 * OpenAI-compatible HTTP API with 1, 4, 16 and 64 concurrent streaming clients (tokens/s, time to
 * first token, request latency), and through a pipeline's generate step (records/s).
 *
 * <p>Every HTTP request asks for exactly {@code newTokens} tokens ({@code min_tokens} =
 * {@code max_tokens}), so every configuration does the same work. A level of concurrency c sends
 * max(16, c) requests, each client one after another; c = 1 is therefore 16 sequential requests.
 * "One at a time" is the same server over an engine whose batch holds one sequence. Modes and
 * levels interleave within each repeat; medians of the repeats are reported.
 */
public final class GenerateServingBench {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One (mode, clients) cell: per-repeat throughput and every request's timings. */
  public record HttpRow(String mode, int clients, int requests, List<Double> tokensPerSecond,
      List<Double> firstTokenMs, List<Double> latencyMs, List<Double> decodeBatch) {

    public double medianTokensPerSecond() {
      return percentile(tokensPerSecond, 50);
    }

    /** Mean sequences per decode call, median over repeats: how much batching happened. */
    public double medianDecodeBatch() {
      return percentile(decodeBatch, 50);
    }
  }

  /** The generate step's records/s at one pipeline batch size. */
  public record PipelineRow(int maxBatch, int records, List<Double> recordsPerSecond) {

    public double medianRecordsPerSecond() {
      return percentile(recordsPerSecond, 50);
    }
  }

  private final CausalLm lm;
  private final List<String> prompts;
  private final int newTokens;
  private final LongSupplier nanoTime;
  private final PrintWriter progress;

  public GenerateServingBench(CausalLm lm, List<String> prompts, int newTokens,
      LongSupplier nanoTime, PrintWriter progress) {
    this.lm = lm;
    this.prompts = List.copyOf(prompts);
    this.newTokens = newTokens;
    this.nanoTime = nanoTime;
    this.progress = progress;
  }

  /** The HTTP figures: for each repeat, each mode, each level of concurrency. */
  public List<HttpRow> http(List<Integer> clientLevels, int repeats) throws Exception {
    List<HttpRow> rows = new ArrayList<>();
    Map<String, Integer> modes = new java.util.LinkedHashMap<>();
    modes.put("batched", Math.max(16, clientLevels.stream().mapToInt(i -> i).max().orElse(16)));
    modes.put("one at a time", 1);
    for (String mode : modes.keySet()) {
      for (int c : clientLevels) {
        rows.add(new HttpRow(mode, c, Math.max(16, c), new ArrayList<>(), new ArrayList<>(),
            new ArrayList<>(), new ArrayList<>()));
      }
    }
    for (int r = 0; r < repeats; r++) {
      for (Map.Entry<String, Integer> mode : modes.entrySet()) {
        try (GenerationEngine engine = new GenerationEngine(lm,
                EngineSettings.defaults().withMaxBatchSize(mode.getValue()));
            OpenAiServer server = OpenAiServer.start(AdminSettings.local(0),
                ServedModels.of(() -> Map.of("bench", engine), Map::of),
                OpenAiApi.Settings.defaults(), Clock.systemUTC())) {
          if (r == 0) {
            load(server.url(), 2, 2, new ArrayList<>(), new ArrayList<>()); // warm-up
          }
          for (HttpRow row : rows) {
            if (!row.mode().equals(mode.getKey())) {
              continue;
            }
            List<Double> first = new ArrayList<>();
            List<Double> latency = new ArrayList<>();
            GenerationEngine.Stats before = engine.stats();
            long start = nanoTime.getAsLong();
            long tokens = load(server.url(), row.clients(), row.requests(), first, latency);
            double seconds = (nanoTime.getAsLong() - start) / 1e9;
            GenerationEngine.Stats after = engine.stats();
            long calls = after.decodeCalls() - before.decodeCalls();
            row.decodeBatch().add(calls == 0 ? 0
                : (after.decodeRows() - before.decodeRows()) / (double) calls);
            row.tokensPerSecond().add(tokens / seconds);
            row.firstTokenMs().addAll(first);
            row.latencyMs().addAll(latency);
            progress.printf("  repeat %d/%d  %-14s %2d clients  %7.1f tokens/s  first token p95"
                    + " %6.1f ms%n", r + 1, repeats, mode.getKey(), row.clients(),
                tokens / seconds, percentile(first, 95));
            progress.flush();
          }
        }
      }
    }
    return rows;
  }

  /** {@code requests} streamed completions from {@code clients} threads; returns the tokens. */
  private long load(String url, int clients, int requests, List<Double> firstTokenMs,
      List<Double> latencyMs) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<long[]>> done = new ArrayList<>();
      List<List<double[]>> timings = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        List<double[]> mine = new ArrayList<>();
        timings.add(mine);
        done.add(pool.submit(() -> {
          long tokens = 0;
          for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
            tokens += oneRequest(http, url, prompts.get(i % prompts.size()), mine);
          }
          return new long[] {tokens};
        }));
      }
      long tokens = 0;
      for (Future<long[]> f : done) {
        tokens += f.get()[0];
      }
      for (List<double[]> mine : timings) {
        for (double[] t : mine) {
          firstTokenMs.add(t[0]);
          latencyMs.add(t[1]);
        }
      }
      return tokens;
    } finally {
      pool.shutdownNow();
    }
  }

  private long oneRequest(HttpClient http, String url, String prompt, List<double[]> timings)
      throws Exception {
    String body = JSON.createObjectNode().put("model", "bench").put("prompt", prompt)
        .put("max_tokens", newTokens).put("min_tokens", newTokens).put("temperature", 0)
        .put("stream", true).set("stream_options", JSON.createObjectNode()
            .put("include_usage", true)).toString();
    long start = nanoTime.getAsLong();
    HttpResponse<java.util.stream.Stream<String>> response = http.send(HttpRequest.newBuilder(
            URI.create(url + "/completions")).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofLines());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("bench request failed: HTTP " + response.statusCode());
    }
    double firstMs = -1;
    long tokens = 0;
    Iterator<String> lines = response.body().iterator();
    while (lines.hasNext()) {
      String line = lines.next();
      if (!line.startsWith("data: {")) {
        continue;
      }
      JsonNode chunk = JSON.readTree(line.substring(6));
      if (firstMs < 0 && chunk.path("choices").path(0).path("text").asText("").length() > 0) {
        firstMs = (nanoTime.getAsLong() - start) / 1e6;
      }
      if (chunk.has("usage")) {
        tokens = chunk.get("usage").get("completion_tokens").asLong();
      }
    }
    double totalMs = (nanoTime.getAsLong() - start) / 1e6;
    timings.add(new double[] {firstMs < 0 ? totalMs : firstMs, totalMs});
    return tokens;
  }

  /**
   * Records/s of a generate step over {@code records} texts, per pipeline batch size; its
   * template is {@code prefix}, the text, and a cue, so the prefix is computed once.
   */
  public List<PipelineRow> pipeline(Path bundle, String prefix, List<String> texts,
      List<Integer> batches, int records, int repeats) {
    List<PipelineRow> rows = new ArrayList<>();
    for (int b : batches) {
      rows.add(new PipelineRow(b, records, new ArrayList<>()));
    }
    for (int r = 0; r < repeats; r++) {
      for (PipelineRow row : rows) {
        String yaml = """
            apiVersion: sluice/v1
            kind: Gateway
            metadata: {name: bench-generate}
            models:
              decoder: {bundle: "%s", threads: 2}
            sources:
              - {name: orders, mqtt: {topic: "p/+/orders"}, schema: TextEvent}
            pipelines:
              - name: orders
                from: orders
                steps:
                  - generate:
                      model: decoder
                      prompt: {id: bench, version: "1", template: %s}
                      maxNewTokens: %d
                inference: {maxBatch: %d, maxWait: 10ms}
            """.formatted(bundle.toAbsolutePath(),
            JSON.getNodeFactory().textNode(prefix + "{{text}}\nAsset:").toString(), newTokens,
            row.maxBatch());
        try (OpenDecoders decoders = new OpenDecoders(EngineSettings.defaults()
                .withMaxBatchSize(Math.max(16, row.maxBatch())));
            PipelineTestDriver driver = PipelineTestDriver.of(yaml, KeywordTextModels.factory(),
                decoders, null)) {
          long start = nanoTime.getAsLong();
          for (int i = 0; i < row.records(); i++) {
            String text = texts.get(i % texts.size());
            driver.pipe("orders", "m" + (i % 4), "{\"eventId\":\"r" + i + "\",\"text\":"
                + JSON.getNodeFactory().textNode(text) + "}");
          }
          driver.advanceWallClockTime(Duration.ofMillis(20));
          int out = driver.results().size();
          double seconds = (nanoTime.getAsLong() - start) / 1e9;
          if (out != row.records()) {
            throw new IllegalStateException("the pipeline gave " + out + " of " + row.records()
                + " records");
          }
          row.recordsPerSecond().add(out / seconds);
          progress.printf("  repeat %d/%d  pipeline maxBatch %2d  %7.1f records/s%n", r + 1,
              repeats, row.maxBatch(), out / seconds);
          progress.flush();
        }
      }
    }
    return rows;
  }

  /** The p-th percentile (nearest rank) of {@code values}; NaN when empty. */
  public static double percentile(List<Double> values, double p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
