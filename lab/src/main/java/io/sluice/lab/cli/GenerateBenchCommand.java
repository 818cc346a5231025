package io.sluice.lab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.inference.generate.CausalLm;
import io.sluice.inference.generate.DecoderOptions;
import io.sluice.inference.generate.EngineSettings;
import io.sluice.inference.generate.GenerationEngine;
import io.sluice.inference.generate.GenerationRequest;
import io.sluice.inference.generate.GenerationResult;
import io.sluice.inference.generate.PrefixCache;
import io.sluice.inference.generate.SpeculativeDecoder;
import io.sluice.runtime.cli.DecoderOptionsMixin;
import io.sluice.runtime.cli.ExitCodes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import io.sluice.lab.bench.GenerateServingBench;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code sluice bench generate}: generation throughput of one decoder, side by side in one run —
 * batch sizes 1, 4 and 16, each with and without the prefix cache, and batch 1 with and without a
 * draft model. Every request generates exactly {@code --new-tokens} tokens (end-of-sequence is
 * suppressed until then) so that every configuration does the same work; prefill time counts.
 * Configurations are interleaved within each repeat so that load from other processes on a shared
 * machine spreads over all of them, and the median of the repeats is reported.
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = {
      "Tokens/s of a decoder at batch 1, 4, 16, with and without the prefix cache, and with and"
          + " without a draft model (speculative decoding, batch 1).",
      "Prompts: a fixed few-shot prefix plus MaintIE work orders from ../shared/data."},
    footerHeading = "%nExamples:%n",
    footer = {
      "  sluice bench generate --json",
      "  sluice bench generate --bundle ../shared/models/tiny-decoder --int8 --repeats 5",
      "  sluice bench generate --serving --int8 --chart docs/charts/bench-generate-serving.png",
      "",
      "Progress goes to stderr; the table (or with --json one object on the last line) to stdout."})
public final class GenerateBenchCommand implements Callable<Integer> {

  /** The shared instruction prefix every record's prompt starts with. */
  static final String PREFIX = """
      Read the maintenance work order and name the asset and the action.
      Order: replace hydraulic pump seal on line 3
      Asset: hydraulic pump. Action: replace.
      Order: air filter blocked, clean and inspect
      Asset: air filter. Action: inspect.
      Order: engine oil leak at rear main seal
      Asset: engine. Action: repair.
      Order:\s""";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--bundle", paramLabel = "DIR", defaultValue = "../shared/models/tiny-decoder",
      description = "Target model folder (default: ${DEFAULT-VALUE}).")
  Path bundle;

  @Option(names = "--draft", paramLabel = "DIR", defaultValue = "../shared/models/tiny-draft",
      description = "Draft model folder (default: ${DEFAULT-VALUE}); 'none' skips speculation.")
  String draft;

  @Option(names = "--data", paramLabel = "DIR", defaultValue = "../shared/data",
      description = "Data folder holding maintie/train.json (default: ${DEFAULT-VALUE}).")
  Path data;

  @Option(names = "--records", defaultValue = "32", description = "Prompts per run (default: ${DEFAULT-VALUE}).")
  int records;

  @Option(names = "--new-tokens", defaultValue = "32",
      description = "Tokens generated per prompt (default: ${DEFAULT-VALUE}).")
  int newTokens;

  @Option(names = "--repeats", defaultValue = "3", description = "Timed runs per configuration (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--lookahead", defaultValue = "4", description = "Draft tokens per round (default: ${DEFAULT-VALUE}).")
  int lookahead;

  @CommandLine.Mixin DecoderOptionsMixin decoder;

  @Option(names = "--chart", paramLabel = "FILE", defaultValue = "docs/charts/bench-generate.png",
      description = "PNG bar chart of tokens/s (default: ${DEFAULT-VALUE}); 'none' for no chart.")
  String chart;

  @Option(names = "--json", description = "Print one JSON object as the last stdout line.")
  boolean json;

  @Option(names = "--serving", description = "Measure serving instead: the OpenAI-compatible"
      + " HTTP API at each --clients level (tokens/s, time to first token, latency) and the"
      + " generate step in a pipeline (records/s), batched and one at a time side by side.")
  boolean serving;

  @Option(names = "--clients", split = ",", defaultValue = "1,4,16,64", paramLabel = "N,N",
      description = "With --serving: concurrent HTTP clients (default: ${DEFAULT-VALUE}).")
  List<Integer> clients;

  /** Wall-clock nanoseconds; replaced in tests. */
  LongSupplier nanoTime = System::nanoTime;

  /** One configuration's timed runs. */
  record Row(String name, int batch, boolean prefixCache, boolean draft, List<Double> seconds,
      long tokens, double acceptanceRate) {

    double medianSeconds() {
      double[] s = seconds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    double tokensPerSecond() {
      return tokens / medianSeconds();
    }

    /** The fastest run: on a shared machine, the run least disturbed by other processes. */
    double bestTokensPerSecond() {
      return tokens / seconds.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }
  }

  private interface Workload {
    /** Runs every prompt once; returns the acceptance rate (speculation) or -1. */
    double run(List<String> texts);
  }

  @Override
  public Integer call() throws IOException {
    if (records < 1 || newTokens < 1 || repeats < 1 || lookahead < 1) {
      throw new ExitCodes.UsageError("--records, --new-tokens, --repeats and --lookahead must be"
          + " positive");
    }
    if (!Files.isDirectory(bundle)) {
      throw new ExitCodes.UsageError("--bundle " + bundle + " is not a folder");
    }
    Path draftDir = "none".equals(draft) ? null : Path.of(draft);
    if (draftDir != null && !Files.isDirectory(draftDir)) {
      throw new ExitCodes.UsageError("--draft " + draftDir + " is not a folder ('none' skips it)");
    }
    List<String> texts = texts();
    if (serving) {
      return serving(texts);
    }
    int cores = Runtime.getRuntime().availableProcessors();
    DecoderOptions options = decoder.options();
    PrintWriter err = spec.commandLine().getErr();
    try (CausalLm lm = CausalLm.open(bundle, options);
        CausalLm draftLm = draftDir == null ? null : CausalLm.open(draftDir, options)) {
      int[] prefixIds = lm.tokenizer().encode(PREFIX);
      List<String> names = new ArrayList<>();
      List<Workload> workloads = new ArrayList<>();
      List<int[]> shapes = new ArrayList<>();
      for (int batch : new int[] {1, 4, 16}) {
        for (boolean cached : new boolean[] {false, true}) {
          names.add("batch " + batch + (cached ? ", prefix cache" : ", no prefix cache"));
          shapes.add(new int[] {batch, cached ? 1 : 0, 0});
          workloads.add(t -> engineRun(lm, prefixIds, t, batch, cached));
        }
      }
      if (draftLm != null) {
        names.add("batch 1, prefix cache, draft (lookahead " + lookahead + ")");
        shapes.add(new int[] {1, 1, 1});
        workloads.add(t -> speculativeRun(lm, draftLm, prefixIds, t));
      }
      err.printf("bench generate: %s, %d prompts x %d new tokens (prefix %d tokens), %d repeats,"
              + " %d cores (shared machine)%n", lm.name(), texts.size(), newTokens,
          prefixIds.length, repeats, cores);
      for (int i = 0; i < workloads.size(); i++) {
        workloads.get(i).run(texts.subList(0, Math.min(4, texts.size())));
      }
      List<List<Double>> seconds = new ArrayList<>();
      double[] acceptance = new double[workloads.size()];
      for (int i = 0; i < workloads.size(); i++) {
        seconds.add(new ArrayList<>());
      }
      for (int r = 0; r < repeats; r++) {
        for (int i = 0; i < workloads.size(); i++) {
          long start = nanoTime.getAsLong();
          acceptance[i] = workloads.get(i).run(texts);
          double s = (nanoTime.getAsLong() - start) / 1e9;
          seconds.get(i).add(s);
          err.printf("  repeat %d/%d  %-48s %6.3f s  %8.1f tokens/s%n", r + 1, repeats,
              names.get(i), s, texts.size() * (double) newTokens / s);
        }
      }
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < workloads.size(); i++) {
        rows.add(new Row(names.get(i), shapes.get(i)[0], shapes.get(i)[1] == 1,
            shapes.get(i)[2] == 1, seconds.get(i), (long) texts.size() * newTokens,
            acceptance[i]));
      }
      report(lm, rows, prefixIds.length, cores, texts.size());
      return ExitCodes.OK;
    }
  }

  /** {@code --serving}: the HTTP and pipeline figures, with a chart of tokens/s by clients. */
  private int serving(List<String> texts) throws IOException {
    if (clients.stream().anyMatch(c -> c < 1)) {
      throw new ExitCodes.UsageError("--clients must be positive numbers");
    }
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    int cores = Runtime.getRuntime().availableProcessors();
    List<String> prompts = new ArrayList<>();
    texts.forEach(t -> prompts.add(PREFIX + t + "\nAsset:"));
    try (CausalLm lm = CausalLm.open(bundle, decoder.options())) {
      err.printf("bench generate --serving: %s, %d prompts x %d new tokens, clients %s, %d"
          + " repeats, %d cores (shared machine)%n", lm.name(), prompts.size(), newTokens,
          clients, repeats, cores);
      GenerateServingBench bench = new GenerateServingBench(lm, prompts, newTokens, nanoTime,
          err);
      List<GenerateServingBench.HttpRow> http;
      try {
        http = bench.http(clients, repeats);
      } catch (Exception e) {
        throw new IllegalStateException("serving benchmark failed: " + e.getMessage(), e);
      }
      List<GenerateServingBench.PipelineRow> pipeline = bench.pipeline(bundle, PREFIX, texts,
          List.of(16, 1), records, repeats);
      double sequential = http.stream().filter(r -> r.mode().equals("batched")
          && r.clients() == 1).findFirst().map(GenerateServingBench.HttpRow::medianTokensPerSecond)
          .orElse(Double.NaN);
      if (!"none".equals(chart)) {
        writeServingChart(lm, http);
      }
      if (json) {
        ObjectNode node = new ObjectMapper().createObjectNode();
        node.put("model", lm.name());
        node.put("cores", cores);
        node.put("shared_machine", true);
        node.put("new_tokens", newTokens);
        node.put("repeats", repeats);
        ArrayNode rows = node.putArray("http");
        for (GenerateServingBench.HttpRow r : http) {
          ObjectNode o = rows.addObject();
          o.put("mode", r.mode());
          o.put("clients", r.clients());
          o.put("requests", r.requests());
          o.put("tokens_per_s", r.medianTokensPerSecond());
          o.put("vs_sequential", r.medianTokensPerSecond() / sequential);
          o.put("first_token_ms_p50", GenerateServingBench.percentile(r.firstTokenMs(), 50));
          o.put("first_token_ms_p95", GenerateServingBench.percentile(r.firstTokenMs(), 95));
          o.put("latency_ms_p50", GenerateServingBench.percentile(r.latencyMs(), 50));
          o.put("latency_ms_p95", GenerateServingBench.percentile(r.latencyMs(), 95));
          o.put("mean_decode_batch", r.medianDecodeBatch());
        }
        ArrayNode steps = node.putArray("pipeline");
        for (GenerateServingBench.PipelineRow r : pipeline) {
          steps.addObject().put("max_batch", r.maxBatch()).put("records", r.records())
              .put("records_per_s", r.medianRecordsPerSecond());
        }
        if (!"none".equals(chart)) {
          node.put("chart", chart);
        }
        out.println(node);
      } else {
        out.printf("%-14s %7s %9s %10s %8s %13s %13s %11s %11s %7s%n", "mode", "clients",
            "requests", "tokens/s", "vs seq", "first p50 ms", "first p95 ms", "lat p50 ms",
            "lat p95 ms", "batch");
        for (GenerateServingBench.HttpRow r : http) {
          out.printf("%-14s %7d %9d %10.1f %7.2fx %13.1f %13.1f %11.1f %11.1f %7.1f%n", r.mode(),
              r.clients(), r.requests(), r.medianTokensPerSecond(),
              r.medianTokensPerSecond() / sequential,
              GenerateServingBench.percentile(r.firstTokenMs(), 50),
              GenerateServingBench.percentile(r.firstTokenMs(), 95),
              GenerateServingBench.percentile(r.latencyMs(), 50),
              GenerateServingBench.percentile(r.latencyMs(), 95), r.medianDecodeBatch());
        }
        for (GenerateServingBench.PipelineRow r : pipeline) {
          out.printf("generate step, pipeline maxBatch %2d: %.1f records/s (%d records)%n",
              r.maxBatch(), r.medianRecordsPerSecond(), r.records());
        }
        out.printf("%s, %d new tokens per request, median of %d, %d cores (shared machine);"
            + " vs seq = tokens/s over 16 sequential requests (batched, 1 client)%n", lm.name(),
            newTokens, repeats, cores);
      }
      out.flush();
    }
    return ExitCodes.OK;
  }

  private void writeServingChart(CausalLm lm, List<GenerateServingBench.HttpRow> rows)
      throws IOException {
    CategoryChart c = new CategoryChartBuilder().width(1000).height(520)
        .title("sluice bench generate --serving: " + lm.name() + ", " + newTokens
            + " tokens/request over HTTP")
        .xAxisTitle("concurrent clients").yAxisTitle("tokens/s (median)").build();
    c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
    List<String> levels = clients.stream().map(String::valueOf).toList();
    for (String mode : List.of("batched", "one at a time")) {
      List<Double> values = new ArrayList<>();
      for (int level : clients) {
        values.add(rows.stream().filter(r -> r.mode().equals(mode) && r.clients() == level)
            .findFirst().orElseThrow().medianTokensPerSecond());
      }
      c.addSeries(mode, levels, values);
    }
    Path file = Path.of(chart);
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    BitmapEncoder.saveBitmap(c, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private double engineRun(CausalLm lm, int[] prefixIds, List<String> texts, int batch,
      boolean cached) {
    EngineSettings settings = EngineSettings.defaults().withMaxBatchSize(batch)
        .withPrefixCacheBytes(cached ? 64L << 20 : 0);
    try (GenerationEngine engine = new GenerationEngine(lm, settings)) {
      List<GenerationRequest> requests = new ArrayList<>();
      for (String text : texts) {
        requests.add(request(lm, prefixIds, text, cached));
      }
      engine.generateAll(requests);
    }
    return -1;
  }

  private double speculativeRun(CausalLm lm, CausalLm draftLm, int[] prefixIds,
      List<String> texts) {
    SpeculativeDecoder decoder = new SpeculativeDecoder(lm, draftLm, lookahead,
        new PrefixCache(64L << 20));
    long proposed = 0;
    long accepted = 0;
    for (String text : texts) {
      GenerationResult result = decoder.generate(request(lm, prefixIds, text, true));
      GenerationResult.SpeculationStats stats = result.speculation().orElseThrow();
      proposed += stats.proposed();
      accepted += stats.accepted();
    }
    return proposed == 0 ? 0 : (double) accepted / proposed;
  }

  /** With the cache the prefix is passed separately; without, it is part of the prompt. */
  private GenerationRequest request(CausalLm lm, int[] prefixIds, String text, boolean cached) {
    int[] rest = lm.tokenizer().encode(text + "\nAsset:");
    GenerationRequest.Builder builder;
    if (cached) {
      builder = GenerationRequest.builder(rest).prefix(prefixIds);
    } else {
      int[] whole = Arrays.copyOf(prefixIds, prefixIds.length + rest.length);
      System.arraycopy(rest, 0, whole, prefixIds.length, rest.length);
      builder = GenerationRequest.builder(whole);
    }
    return builder.id(text).maxNewTokens(newTokens).minNewTokens(newTokens).build();
  }

  private List<String> texts() throws IOException {
    Path file = data.resolve("maintie/train.json");
    if (!Files.isRegularFile(file)) {
      throw new ExitCodes.UsageError(file + " is missing; the benchmark prompts come from MaintIE"
          + " (see ../shared/data/README.md), give --data DIR");
    }
    JsonNode orders = new ObjectMapper().readTree(file.toFile());
    List<String> out = new ArrayList<>();
    for (int i = 0; i < orders.size() && out.size() < records; i++) {
      out.add(orders.get(i).get("text").asText());
    }
    return out;
  }

  private void report(CausalLm lm, List<Row> rows, int prefixTokens, int cores, int prompts)
      throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    double baseline = rows.get(0).tokensPerSecond();
    Row plainBatch1 = rows.stream().filter(r -> r.batch() == 1 && r.prefixCache() && !r.draft())
        .findFirst().orElseThrow();
    Optional<Row> speculative = rows.stream().filter(Row::draft).findFirst();
    if (!"none".equals(chart)) {
      writeChart(lm, rows);
    }
    if (json) {
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode node = mapper.createObjectNode();
      node.put("model", lm.name());
      node.put("model_version", lm.version());
      node.put("cores", cores);
      node.put("shared_machine", true);
      node.put("prompts", prompts);
      node.put("new_tokens", newTokens);
      node.put("prefix_tokens", prefixTokens);
      node.put("repeats", repeats);
      ArrayNode results = node.putArray("results");
      for (Row row : rows) {
        ObjectNode r = results.addObject();
        r.put("name", row.name());
        r.put("batch", row.batch());
        r.put("prefix_cache", row.prefixCache());
        r.put("draft", row.draft());
        r.put("tokens_per_s", row.tokensPerSecond());
        r.put("median_seconds", row.medianSeconds());
        r.put("best_tokens_per_s", row.bestTokensPerSecond());
        r.put("vs_batch1_no_cache", row.tokensPerSecond() / baseline);
        ArrayNode runs = r.putArray("seconds");
        row.seconds().forEach(runs::add);
        if (row.draft()) {
          r.put("acceptance_rate", row.acceptanceRate());
        }
      }
      speculative.ifPresent(s -> {
        node.put("acceptance_rate", s.acceptanceRate());
        node.put("draft_speedup", s.tokensPerSecond() / plainBatch1.tokensPerSecond());
      });
      if (!"none".equals(chart)) {
        node.put("chart", chart);
      }
      out.println(node);
    } else {
      out.printf("%-50s %12s %10s %12s%n", "configuration", "tokens/s", "vs first",
          "best run");
      for (Row row : rows) {
        out.printf("%-50s %12.1f %9.2fx %12.1f%n", row.name(), row.tokensPerSecond(),
            row.tokensPerSecond() / baseline, row.bestTokensPerSecond());
      }
      speculative.ifPresent(s -> out.printf("draft: acceptance %.3f, %.2fx the tokens/s of plain"
          + " batch-1 decoding%n", s.acceptanceRate(), s.tokensPerSecond()
          / plainBatch1.tokensPerSecond()));
      out.printf("%s, %d prompts x %d tokens, median of %d, %d cores (shared machine)%n",
          lm.name(), prompts, newTokens, repeats, cores);
    }
    out.flush();
  }

  private void writeChart(CausalLm lm, List<Row> rows) throws IOException {
    CategoryChart c = new CategoryChartBuilder().width(1000).height(520)
        .title("sluice bench generate: " + lm.name() + ", " + newTokens + " new tokens/prompt")
        .xAxisTitle("batch size").yAxisTitle("tokens/s (median)").build();
    c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
    List<String> batches = List.of("1", "4", "16");
    for (boolean cached : new boolean[] {false, true}) {
      List<Double> values = new ArrayList<>();
      for (String b : batches) {
        values.add(rows.stream().filter(r -> !r.draft() && r.prefixCache() == cached
            && String.valueOf(r.batch()).equals(b)).findFirst().orElseThrow().tokensPerSecond());
      }
      c.addSeries(cached ? "prefix cache" : "no prefix cache", batches, values);
    }
    rows.stream().filter(Row::draft).findFirst().ifPresent(s -> c.addSeries(
        "draft (batch 1)", batches, List.of(s.tokensPerSecond(), 0.0, 0.0)));
    Path file = Path.of(chart);
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    BitmapEncoder.saveBitmap(c, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
