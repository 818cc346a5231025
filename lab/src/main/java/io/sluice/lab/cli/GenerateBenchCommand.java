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
