package io.sluice.lab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.inference.generate.Calibration;
import io.sluice.inference.generate.CausalLm;
import io.sluice.inference.generate.LabelScorer;
import io.sluice.inference.generate.LabelScores;
import io.sluice.inference.generate.PrefixCache;
import io.sluice.inference.generate.PromptTemplate;
import io.sluice.runtime.cli.DecoderOptionsMixin;
import io.sluice.runtime.cli.ExitCodes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code sluice eval label-scoring}: classifies CLINC150 requests of one domain by the decoder's
 * log-likelihood of each intent name, fits the confidence temperature on train examples and
 * reports accuracy, negative log-likelihood and expected calibration error on val examples,
 * before and after calibration. The point is the confidence: whatever the accuracy, a calibrated
 * confidence tells the router how often the gateway is right.
 */
@Command(
    name = "label-scoring",
    mixinStandardHelpOptions = true,
    description = {
      "Label scoring with a decoder on one CLINC150 domain: accuracy, NLL and expected calibration"
          + " error (10 bins) on val, raw and with a temperature fitted on train."},
    footerHeading = "%nExample:%n",
    footer = {
      "  sluice eval label-scoring --bundle ../shared/models/tiny-decoder \\",
      "      --data ../shared/data/clinc150 --domain banking --json",
      "",
      "Exit codes: 0 done, 2 bad input (missing data or unknown domain), 3 runtime error."})
public final class EvalLabelScoringCommand implements Callable<Integer> {

  static final PromptTemplate PROMPT = new PromptTemplate("clinc150-intent", "1",
      "Read the bank customer's request and name its intent.\nRequest: {{input}}\nIntent:");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--bundle", paramLabel = "DIR", defaultValue = "../shared/models/tiny-decoder",
      description = "Decoder folder (default: ${DEFAULT-VALUE}).")
  Path bundle;

  @Option(names = "--data", paramLabel = "DIR", defaultValue = "../shared/data/clinc150",
      description = "CLINC150 folder with train.jsonl, val.jsonl, domains.json (default: ${DEFAULT-VALUE}).")
  Path data;

  @Option(names = "--domain", defaultValue = "banking",
      description = "Domain whose intents are the labels (default: ${DEFAULT-VALUE}).")
  String domain;

  @Option(names = "--fit-per-label", defaultValue = "10",
      description = "Train examples per intent for fitting the temperature (default: ${DEFAULT-VALUE}).")
  int fitPerLabel;

  @Option(names = "--test-per-label", defaultValue = "20",
      description = "Val examples per intent to score (default: ${DEFAULT-VALUE}).")
  int testPerLabel;

  @Option(names = "--batch", defaultValue = "16",
      description = "Rows per model call (default: ${DEFAULT-VALUE}).")
  int batch;

  @CommandLine.Mixin DecoderOptionsMixin decoder;

  @Option(names = "--json", description = "Print one JSON object as the last stdout line.")
  boolean json;

  /** Wall-clock nanoseconds; replaced in tests. */
  LongSupplier nanoTime = System::nanoTime;

  record Metrics(String name, double accuracy, double nll, double ece, double meanConfidence) {}

  @Override
  public Integer call() throws IOException {
    for (String file : List.of("train.jsonl", "val.jsonl", "domains.json")) {
      if (!Files.isRegularFile(data.resolve(file))) {
        throw new ExitCodes.UsageError(data.resolve(file) + " is missing (see"
            + " ../shared/data/README.md); give --data DIR");
      }
    }
    if (!Files.isDirectory(bundle)) {
      throw new ExitCodes.UsageError("--bundle " + bundle + " is not a folder");
    }
    ObjectMapper mapper = new ObjectMapper();
    JsonNode intents = mapper.readTree(data.resolve("domains.json").toFile()).get(domain);
    if (intents == null) {
      throw new ExitCodes.UsageError("unknown --domain '" + domain + "'; domains.json has "
          + mapper.readTree(data.resolve("domains.json").toFile()).properties().stream()
              .map(Map.Entry::getKey).toList());
    }
    List<String> ids = new ArrayList<>();
    intents.forEach(i -> ids.add(i.asText()));
    List<String> labels = ids.stream().map(i -> i.replace('_', ' ')).toList();
    List<String[]> fit = examples(mapper, data.resolve("train.jsonl"), ids, fitPerLabel);
    List<String[]> test = examples(mapper, data.resolve("val.jsonl"), ids, testPerLabel);
    PrintWriter err = spec.commandLine().getErr();
    try (CausalLm lm = CausalLm.open(bundle, decoder.options())) {
      LabelScorer scorer = new LabelScorer(lm, PROMPT, labels, " ", Calibration.none(),
          new PrefixCache(16L << 20), batch);
      err.printf("eval label-scoring: %s, domain %s (%d intents), fit on %d train, test on %d"
          + " val examples%n", lm.name(), domain, labels.size(), fit.size(), test.size());
      List<LabelScores> fitScores = score(scorer, fit);
      long start = nanoTime.getAsLong();
      List<LabelScores> testScores = score(scorer, test);
      double seconds = (nanoTime.getAsLong() - start) / 1e9;
      List<String> fitTruth = fit.stream().map(e -> e[1]).toList();
      List<String> testTruth = test.stream().map(e -> e[1]).toList();
      List<Metrics> rows = new ArrayList<>();
      rows.add(metrics("raw (T=1, summed log-likelihood)", testScores, testTruth));
      for (boolean normalized : new boolean[] {false, true}) {
        Calibration c = Calibration.fit(fitScores, fitTruth, normalized);
        List<LabelScores> recalibrated = testScores.stream().map(s -> s.recalibrated(c)).toList();
        rows.add(metrics(String.format("fitted T=%.3f, %s", c.temperature(),
            normalized ? "mean per token" : "summed"), recalibrated, testTruth));
      }
      report(lm, rows, labels.size(), fit.size(), test.size(), test.size() / seconds);
      return ExitCodes.OK;
    }
  }

  private static List<LabelScores> score(LabelScorer scorer, List<String[]> examples) {
    List<Map<String, String>> records = new ArrayList<>();
    examples.forEach(e -> records.add(Map.of("input", e[0])));
    return scorer.score(records);
  }

  /** {text, label with spaces} pairs: the first {@code perLabel} of each intent, in file order. */
  private static List<String[]> examples(ObjectMapper mapper, Path file, List<String> intents,
      int perLabel) throws IOException {
    Map<String, Integer> taken = new HashMap<>();
    List<String[]> out = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode row = mapper.readTree(line);
      String label = row.get("label").asText();
      if (intents.contains(label) && taken.merge(label, 1, Integer::sum) <= perLabel) {
        out.add(new String[] {row.get("text").asText(), label.replace('_', ' ')});
      }
    }
    return out;
  }

  static Metrics metrics(String name, List<LabelScores> scores, List<String> truth) {
    int bins = 10;
    double[] confidenceSum = new double[bins];
    int[] correctCount = new int[bins];
    int[] count = new int[bins];
    double nll = 0;
    int correct = 0;
    double confidence = 0;
    for (int i = 0; i < scores.size(); i++) {
      LabelScores s = scores.get(i);
      boolean right = s.label().equals(truth.get(i));
      correct += right ? 1 : 0;
      confidence += s.confidence();
      nll -= Math.log(Math.max(1e-300, s.probabilities()[s.labels().indexOf(truth.get(i))]));
      int bin = Math.min(bins - 1, (int) (s.confidence() * bins));
      confidenceSum[bin] += s.confidence();
      correctCount[bin] += right ? 1 : 0;
      count[bin]++;
    }
    double ece = 0;
    for (int b = 0; b < bins; b++) {
      if (count[b] > 0) {
        ece += Math.abs(confidenceSum[b] / count[b] - (double) correctCount[b] / count[b])
            * count[b] / scores.size();
      }
    }
    int n = scores.size();
    return new Metrics(name, (double) correct / n, nll / n, ece, confidence / n);
  }

  private void report(CausalLm lm, List<Metrics> rows, int labels, int fitCount, int testCount,
      double recordsPerSecond) {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode node = mapper.createObjectNode();
      node.put("model", lm.name());
      node.put("domain", domain);
      node.put("labels", labels);
      node.put("chance_accuracy", 1.0 / labels);
      node.put("fit_examples", fitCount);
      node.put("test_examples", testCount);
      node.put("records_per_s", recordsPerSecond);
      ArrayNode results = node.putArray("results");
      for (Metrics m : rows) {
        results.addObject().put("calibration", m.name()).put("accuracy", m.accuracy())
            .put("nll", m.nll()).put("ece", m.ece()).put("mean_confidence", m.meanConfidence());
      }
      out.println(node);
    } else {
      out.printf("%-40s %9s %8s %8s %16s%n", "calibration", "accuracy", "NLL", "ECE",
          "mean confidence");
      for (Metrics m : rows) {
        out.printf("%-40s %9.3f %8.3f %8.3f %16.3f%n", m.name(), m.accuracy(), m.nll(), m.ece(),
            m.meanConfidence());
      }
      out.printf("%s on %s: %d intents (chance %.3f), %d val examples scored at %.1f records/s%n",
          lm.name(), domain, labels, 1.0 / labels, testCount, recordsPerSecond);
    }
    out.flush();
  }
}
