package io.sluice.lab.cli;

import io.sluice.lab.bench.Medians;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.inference.EncoderSettings;
import io.sluice.inference.ModelBundle;
import io.sluice.inference.SessionSettings;
import io.sluice.inference.TextEncoder;
import io.sluice.inference.Ticker;
import io.sluice.inference.TokenizedText;
import io.sluice.lab.bench.EmbeddingBaseline;
import io.sluice.lab.bench.SampleSentences;
import io.sluice.runtime.cli.CliOutput;
import io.sluice.runtime.cli.ExitCodes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code sluice bench inference}: encoder throughput one text at a time and batched, against the
 * embedding library a Java user would otherwise pick, on the same sentences in the same run.
 *
 * <p>Every configuration runs once to warm up, then {@code --rounds} times in turn (so a busy
 * neighbour on a shared machine slows all of them alike); figures are medians of the rounds.
 */
@Command(
    name = "inference",
    mixinStandardHelpOptions = true,
    description = {
      "Measure sentences/s and tokens/s of the encoder one text at a time and batched (one "
          + "session x 2 threads, two sessions x 1 thread, and the model's own per-batch "
          + "quantization, which is not batch-invariant), and, on the same sentences in the "
          + "same run, langchain4j's AllMiniLmL6V2QuantizedEmbeddingModel.embedAll when the "
          + "benchmarks module is on the classpath (bin/sluice puts it there).",
      "Sentences: --sentences FILE (one per line, or JSON lines with a \"text\"), else generated "
          + "maintenance notes. Writes a PNG chart of the medians."},
    footerHeading = "%nExample:%n",
    footer = {
      "  sluice bench inference --sentences ../shared/data/clinc150/val.jsonl --json",
      "",
      "Exit codes: 0 done, 1 batched throughput under 1.5x the baseline (with --check), "
          + "2 bad arguments, 3 runtime error."})
public final class BenchInferenceCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--sentences", paramLabel = "FILE",
      description = "Sentences, one a line or JSON lines with \"text\".")
  Path sentencesFile;

  @Option(names = "--count", paramLabel = "N", defaultValue = "2000",
      description = "Use at most N sentences (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(names = "--single", paramLabel = "N", defaultValue = "300",
      description = "Sentences run one at a time a round (default: ${DEFAULT-VALUE}).")
  int single;

  @Option(names = "--rounds", paramLabel = "N", defaultValue = "3",
      description = "Timed rounds after the warm-up (default: ${DEFAULT-VALUE}).")
  int rounds;

  @CommandLine.Mixin ModelOptions common;

  @Option(names = "--chart", paramLabel = "PNG", defaultValue = "bench-inference.png",
      description = "Where to write the chart (default: ${DEFAULT-VALUE}).")
  Path chart;

  @Option(names = "--check",
      description = "Exit 1 unless batched throughput is at least 1.5x the baseline's.")
  boolean check;

  private final Ticker ticker = Ticker.system();

  @Override
  public Integer call() throws Exception {
    if (count < 1 || single < 1 || rounds < 1) {
      throw new ExitCodes.UsageError("--count, --single and --rounds must be at least 1");
    }
    PrintWriter err = spec.commandLine().getErr();
    List<String> sentences = sentences();
    List<String> singles = sentences.subList(0, Math.min(single, sentences.size()));
    err.printf("%d sentences (%d one at a time), %d rounds%n", sentences.size(), singles.size(),
        rounds);
    ModelBundle bundle = ModelBundle.load(common.model());
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    List<Double> singleLatenciesMs = new ArrayList<>();
    long tokens;
    long singleTokens;
    Optional<EmbeddingBaseline> baseline = EmbeddingBaseline.find();
    try (TextEncoder oneByTwo = open(bundle, 1, 2); TextEncoder twoByOne = open(bundle, 2, 1);
        TextEncoder dynamic = TextEncoder.open(bundle, EncoderSettings.DEFAULT
            .withStaticQuantization(false), new SimpleMeterRegistry())) {
      tokens = tokens(oneByTwo.tokenize(sentences));
      singleTokens = tokens(oneByTwo.tokenize(singles));
      if (baseline.isPresent()) {
        err.println("Loading baseline: " + baseline.get().name());
        onLargeStack(() -> {
          baseline.get().open();
          return null;
        });
      } else {
        err.println("Baseline absent: run with the benchmarks module on the classpath "
            + "(bin/sluice) to compare with langchain4j");
      }
      for (int round = 0; round <= rounds; round++) {
        boolean warmUp = round == 0;
        String label = warmUp ? "warm-up" : "round " + round + "/" + rounds;
        record(rates, warmUp, "batched 1 session x 2 threads", sentences.size(),
            time(() -> oneByTwo.embed(sentences)), err, label);
        record(rates, warmUp, "batched 2 sessions x 1 thread", sentences.size(),
            time(() -> twoByOne.embed(sentences)), err, label);
        record(rates, warmUp, "batched, dynamic quantization", sentences.size(),
            time(() -> dynamic.embed(sentences)), err, label);
        List<Double> latencies = new ArrayList<>();
        long singleNanos = time(() -> {
          for (String sentence : singles) {
            long start = ticker.read();
            oneByTwo.embed(List.of(sentence));
            latencies.add((ticker.read() - start) / 1e6);
          }
        });
        record(rates, warmUp, "one at a time", singles.size(), singleNanos, err, label);
        if (!warmUp) {
          singleLatenciesMs.addAll(latencies);
        }
        if (baseline.isPresent()) {
          record(rates, warmUp, "langchain4j embedAll", sentences.size(),
              time(() -> baseline.get().embedAll(sentences)), err, label);
        }
      }
    } finally {
      baseline.ifPresent(EmbeddingBaseline::close);
    }
    Map<String, Double> medians = new LinkedHashMap<>();
    rates.forEach((name, values) -> medians.put(name, Medians.of(values)));
    // The headline figure is the default settings' (EncoderSettings.DEFAULT: one session, two
    // threads); the other layout is reported beside it.
    double batched = medians.get("batched 1 session x 2 threads");
    double singleRate = medians.get("one at a time");
    Double baselineRate = medians.get("langchain4j embedAll");
    singleLatenciesMs.sort(null);

    Map<String, Object> report = new LinkedHashMap<>();
    report.put("sentences_per_s", round1(batched));
    report.put("single_sentences_per_s", round1(singleRate));
    report.put("langchain4j_sentences_per_s", baselineRate == null ? null : round1(baselineRate));
    report.put("peak_rss_mb", CliOutput.peakRssMb());
    report.put("speedup_vs_langchain4j",
        baselineRate == null ? null : Math.round(batched / baselineRate * 100) / 100.0);
    report.put("tokens_per_s", round1(batched * tokens / sentences.size()));
    report.put("single_tokens_per_s", round1(singleRate * singleTokens / singles.size()));
    report.put("batched_1x2_sentences_per_s", round1(medians.get("batched 1 session x 2 threads")));
    report.put("batched_2x1_sentences_per_s", round1(medians.get("batched 2 sessions x 1 thread")));
    report.put("batched_dynamic_quantization_sentences_per_s",
        round1(medians.get("batched, dynamic quantization")));
    report.put("single_latency_ms_p50", round1(quantile(singleLatenciesMs, 0.5)));
    report.put("single_latency_ms_p99", round1(quantile(singleLatenciesMs, 0.99)));
    report.put("sentences", sentences.size());
    report.put("mean_tokens", round1((double) tokens / sentences.size()));
    report.put("rounds", rounds);
    report.put("model", bundle.id());
    report.put("cores", Runtime.getRuntime().availableProcessors());
    report.put("baseline", baseline.map(EmbeddingBaseline::name).orElse(null));
    writeChart(medians);
    report.put("chart", chart.toString());

    PrintWriter out = spec.commandLine().getOut();
    out.printf("Inference throughput (%s, %d sentences, median of %d rounds)%n", bundle.id(),
        sentences.size(), rounds);
    medians.forEach((name, rate) -> out.printf("  %-32s %8.1f sentences/s%n", name, rate));
    out.printf("  one at a time latency: p50 %.2f ms, p99 %.2f ms%n",
        quantile(singleLatenciesMs, 0.5), quantile(singleLatenciesMs, 0.99));
    if (baselineRate != null) {
      out.printf("  batched vs langchain4j embedAll: %.2fx (target >= 1.5x)%n",
          batched / baselineRate);
    }
    out.printf("  peak RSS %.1f MB; chart %s%n", CliOutput.peakRssMb(), chart);
    if (common.json()) {
      CliOutput.printJsonLine(out, report);
    }
    if (check && (baselineRate == null || batched < 1.5 * baselineRate)) {
      err.println(baselineRate == null ? "No baseline to check against"
          : String.format("Batched is %.2fx the baseline; the target is 1.5x",
              batched / baselineRate));
      return ExitCodes.FAILED;
    }
    return ExitCodes.OK;
  }

  private TextEncoder open(ModelBundle bundle, int sessions, int threads) {
    EncoderSettings settings = EncoderSettings.DEFAULT.withSessions(sessions,
        SessionSettings.threads(threads));
    return TextEncoder.open(bundle, settings, new SimpleMeterRegistry());
  }

  private List<String> sentences() throws IOException {
    if (sentencesFile == null) {
      return SampleSentences.generate(count, 7);
    }
    if (!Files.isRegularFile(sentencesFile)) {
      throw new ExitCodes.UsageError("--sentences " + sentencesFile + " is not a file");
    }
    ObjectMapper mapper = new ObjectMapper();
    List<String> sentences = new ArrayList<>();
    for (String line : Files.readAllLines(sentencesFile)) {
      if (sentences.size() == count) {
        break;
      }
      String trimmed = line.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (trimmed.startsWith("{")) {
        JsonNode text = mapper.readTree(trimmed).get("text");
        if (text == null) {
          throw new ExitCodes.UsageError(sentencesFile + ": a JSON line without \"text\": "
              + trimmed);
        }
        sentences.add(text.asText());
      } else {
        sentences.add(trimmed);
      }
    }
    if (sentences.isEmpty()) {
      throw new ExitCodes.UsageError("--sentences " + sentencesFile + " holds no sentences");
    }
    return sentences;
  }

  private long time(Runnable work) {
    long start = ticker.read();
    work.run();
    return ticker.read() - start;
  }

  private static void record(Map<String, List<Double>> rates, boolean warmUp, String name,
      int sentences, long nanos, PrintWriter err, String label) {
    double rate = sentences / (nanos / 1e9);
    err.printf("%s: %-32s %8.1f sentences/s%n", label, name, rate);
    if (!warmUp) {
      rates.computeIfAbsent(name, k -> new ArrayList<>()).add(rate);
    }
  }

  private void writeChart(Map<String, Double> medians) throws IOException {
    CategoryChart bars = new CategoryChartBuilder().width(1000).height(500)
        .title("Encoder throughput, median of " + rounds + " rounds (2 shared cores)")
        .xAxisTitle("").yAxisTitle("sentences/s").build();
    bars.getStyler().setLegendVisible(false);
    bars.getStyler().setLabelsVisible(true);
    bars.getStyler().setDecimalPattern("#,##0");
    List<String> names = new ArrayList<>();
    medians.keySet().forEach(name -> names.add(name
        .replace("batched 1 session x 2 threads", "batched 1x2 (default)")
        .replace("batched 2 sessions x 1 thread", "batched 2x1")
        .replace("batched, dynamic quantization", "batched, dynamic q.")
        .replace("langchain4j embedAll", "langchain4j")));
    bars.addSeries("sentences/s", names, new ArrayList<>(medians.values()));
    Path parent = chart.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    BitmapEncoder.saveBitmap(bars, chart.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /** Native tokenizer set-up wants a deep stack (see the inference module's DjlNatives). */
  private static void onLargeStack(Callable<Void> work) throws Exception {
    FutureTask<Void> task = new FutureTask<>(work);
    Thread thread = new Thread(null, task, "sluice-baseline-load", 64L << 20);
    thread.start();
    task.get();
  }

  private static long tokens(List<TokenizedText> tokenized) {
    return tokenized.stream().mapToLong(TokenizedText::length).sum();
  }


  private static double quantile(List<Double> sorted, double q) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(q * sorted.size())));
  }

  private static double round1(double value) {
    return Math.round(value * 10) / 10.0;
  }
}
