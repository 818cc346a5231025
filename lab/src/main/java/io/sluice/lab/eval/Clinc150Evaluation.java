package io.sluice.lab.eval;

import io.sluice.inference.ClassifierSettings;
import io.sluice.inference.GuaranteedThresholds;
import io.sluice.inference.HeadInfo;
import io.sluice.inference.LabelledText;
import io.sluice.inference.Prediction;
import io.sluice.inference.RoutingThresholds;
import io.sluice.inference.TextClassifier;
import io.sluice.inference.TextEncoder;
import io.sluice.inference.Ticker;
import io.sluice.inference.TrainingData;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The CLINC150 harness behind {@code sluice eval clinc150}: train on the train folder, fix every
 * threshold on its validation files, then score the test files.
 *
 * <p>Data. Training: {@code train.jsonl}. Calibration (temperature, novelty, routing thresholds):
 * {@code val.jsonl}, {@code oos_val.jsonl} and {@code oos_train.jsonl} of the train folder. Test:
 * {@code test.jsonl} and {@code oos_test.jsonl} of the test folder, read only after training and
 * calibration, falling back to {@code val.jsonl} and {@code oos_val.jsonl}.
 *
 * <p>When the test files are the calibration files (the fallback on the public split), scoring on
 * them would grade thresholds on the data that chose them. The harness then cross-calibrates:
 * the validation records are split in two halves; a head calibrated on one half (plus all of
 * {@code oos_train}) scores the other, and both halves' predictions are pooled. The report says
 * which mode ran.
 *
 * <p>Guarantee. With {@code guaranteeConfidence} above 0 (the default, 0.95) the calibration
 * records are split in two (in-scope ones every other record, out-of-scope ones one in four to
 * the first set, in file order): the head is calibrated
 * and the novelty threshold chosen on the first, and the confidence threshold is chosen by
 * Learn then Test on the second ({@link GuaranteedThresholds}), so that with that probability
 * the kept accuracy is at least {@code localAccuracy} and the out-of-scope share kept at most
 * {@code maxOutOfScopeKept} on new data. With 0 the empirical rule of
 * {@link RoutingThresholds#choose} runs on all calibration records, as before.
 *
 * <p>Decisions flipped by batching: every test text is also classified alone; a decision is
 * flipped when the label, the low-confidence flag (below the routing threshold) or the novel flag
 * differs from the batched run.
 */
public final class Clinc150Evaluation {

  /**
   * @param localAccuracy the accuracy the routing thresholds must reach on validation (0.98)
   * @param maxOutOfScopeKept the share of out-of-scope validation texts the routing thresholds may
   *     keep local
   * @param guaranteeConfidence probability with which the routing promise must hold (0.95), or
   *     0 for the empirical thresholds, which promise nothing beyond the validation data
   * @param classifier head training settings (the cache is switched off for the evaluation)
   */
  public record Options(double localAccuracy, double maxOutOfScopeKept,
      double guaranteeConfidence, ClassifierSettings classifier) {
    public static final Options DEFAULT = new Options(0.98, 0.05, 0.95,
        ClassifierSettings.DEFAULT);
  }

  /** The figures, named as in the JSON report. */
  public record Report(double inScopeAccuracy, double oosRecall, double coverage,
      double localAccuracy, double oosKeptLocal, double trainSeconds, double testSentencesPerSecond,
      double batchDecisionsFlipped, String mode, int trainExamples, int testInScope, int testOos,
      List<HeadInfo> heads, List<RoutingThresholds> thresholds, String model,
      boolean batchInvariant, List<GuaranteedThresholds> guarantees) {

    /** The report as the ordered JSON object {@code sluice eval clinc150 --json} prints. */
    public Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("in_scope_accuracy", round(inScopeAccuracy));
      json.put("oos_recall", round(oosRecall));
      json.put("coverage_at_98", round(coverage));
      json.put("local_accuracy_at_98", round(localAccuracy));
      json.put("oos_kept_local_at_98", round(oosKeptLocal));
      json.put("train_seconds", round(trainSeconds));
      json.put("test_sentences_per_s", Math.round(testSentencesPerSecond * 10) / 10.0);
      json.put("batch_decisions_flipped", round(batchDecisionsFlipped));
      json.put("mode", mode);
      json.put("model", model);
      json.put("batch_invariant_encoder", batchInvariant);
      json.put("head", heads.get(0).kind().id());
      json.put("train_examples", trainExamples);
      json.put("test_in_scope", testInScope);
      json.put("test_oos", testOos);
      json.put("temperature", heads.stream().map(h -> round(h.temperature())).toList());
      json.put("novelty_energy_weight",
          heads.stream().map(h -> round(h.noveltyEnergyWeight())).toList());
      json.put("routing_min_confidence",
          thresholds.stream().map(t -> round(t.minConfidence())).toList());
      json.put("routing_max_novelty", thresholds.stream().map(t -> round(t.maxNovelty())).toList());
      if (!guarantees.isEmpty()) {
        GuaranteedThresholds first = guarantees.get(0);
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("method", "learn-then-test, fixed sequence, exact binomial p-values");
        g.put("kept_accuracy_at_least", first.accuracy());
        g.put("oos_kept_at_most", first.maxOutOfScopeKept());
        g.put("with_probability", round(1 - first.delta()));
        g.put("calibration_kept", guarantees.stream().map(GuaranteedThresholds::kept).toList());
        g.put("calibration_errors",
            guarantees.stream().map(GuaranteedThresholds::errors).toList());
        g.put("calibration_oos_kept",
            guarantees.stream().map(GuaranteedThresholds::outOfScopeKept).toList());
        g.put("calibration_oos", guarantees.stream().map(GuaranteedThresholds::outOfScope)
            .toList());
        g.put("p_accuracy", guarantees.stream().map(x -> x.pAccuracy()).toList());
        g.put("p_oos", guarantees.stream().map(x -> x.pOutOfScope()).toList());
        json.put("guarantee", g);
      }
      return json;
    }

    private static double round(double value) {
      return Math.round(value * 10_000) / 10_000.0;
    }
  }

  private final TextEncoder encoder;
  private final Options options;
  private final Ticker ticker;
  private final Consumer<String> progress;

  public Clinc150Evaluation(TextEncoder encoder, Options options, Ticker ticker,
      Consumer<String> progress) {
    this.encoder = encoder;
    this.options = options;
    this.ticker = ticker;
    this.progress = progress;
  }

  public Report run(Path trainDir, Path testDir) {
    IntentData train = IntentData.read(trainDir.resolve("train.jsonl"));
    if (train.inScope().isEmpty()) {
      throw new IllegalArgumentException("No training records in " + trainDir.resolve(
          "train.jsonl"));
    }
    IntentData validation = IntentData.read(trainDir.resolve("val.jsonl"),
        trainDir.resolve("oos_val.jsonl"));
    List<String> extraOos = IntentData.read(trainDir.resolve("oos_train.jsonl")).outOfScope();
    List<String> trainOos = train.outOfScope();
    Path testFile = testDir.resolve("test.jsonl");
    Path testOosFile = testDir.resolve("oos_test.jsonl");
    boolean fallback = !Files.exists(testFile);
    if (fallback) {
      testFile = testDir.resolve("val.jsonl");
      testOosFile = testDir.resolve("oos_val.jsonl");
    }
    boolean cross = fallback && same(testFile, trainDir.resolve("val.jsonl"));
    List<String> oos = new ArrayList<>(extraOos);
    oos.addAll(trainOos);
    progress.accept("Training data: " + train.inScope().size() + " examples, "
        + validation.inScope().size() + " validation, " + validation.outOfScope().size()
        + " + " + oos.size() + " out-of-scope for calibration");

    List<Round> rounds = new ArrayList<>();
    if (cross) {
      progress.accept("The test files are the validation files: cross-calibrating on halves");
      for (int half = 0; half < 2; half++) {
        rounds.add(calibrate(train, validation.part(half, 2).plusOutOfScope(oos)));
      }
    } else {
      rounds.add(calibrate(train, validation.plusOutOfScope(oos)));
    }

    // Thresholds are fixed; only now are the test files read.
    IntentData test = IntentData.read(testFile, testOosFile);
    if (test.size() == 0) {
      throw new IllegalArgumentException("No test records in " + testFile + " or " + testOosFile);
    }
    List<Scored> scored = new ArrayList<>();
    long classifyNanos = 0;
    int classified = 0;
    for (int r = 0; r < rounds.size(); r++) {
      IntentData part = cross ? test.part(1 - r, 2) : test;
      Round round = rounds.get(r);
      List<String> texts = new ArrayList<>();
      part.inScope().forEach(e -> texts.add(e.text()));
      texts.addAll(part.outOfScope());
      progress.accept("Classifying " + texts.size() + " test texts");
      long start = ticker.read();
      List<Prediction> batched = round.classifier.classify(texts);
      classifyNanos += ticker.read() - start;
      classified += texts.size();
      progress.accept("Classifying the same texts one at a time (batch invariance)");
      for (int i = 0; i < texts.size(); i++) {
        Prediction alone = round.classifier.classify(List.of(texts.get(i))).get(0);
        boolean inScope = i < part.inScope().size();
        String truth = inScope ? part.inScope().get(i).label() : null;
        scored.add(new Scored(batched.get(i), alone, inScope,
            inScope && batched.get(i).label().equals(truth), round.thresholds));
      }
      round.classifier.close();
    }
    return report(rounds, scored, train, test, cross, classifyNanos, classified);
  }

  private record Round(TextClassifier classifier, HeadInfo head, RoutingThresholds thresholds,
      GuaranteedThresholds guarantee) {}

  private record Scored(Prediction batched, Prediction alone, boolean inScope, boolean correct,
      RoutingThresholds thresholds) {}

  private Round calibrate(IntentData train, IntentData calibration) {
    ClassifierSettings settings = options.classifier().withCacheSize(0);
    TextClassifier classifier = TextClassifier.create(encoder, settings, ticker,
        new SimpleMeterRegistry());
    boolean guaranteed = options.guaranteeConfidence() > 0;
    // With a guarantee, the second set is kept from the head and from every choice but the test.
    // In-scope records split in halves; out-of-scope ones one in four to the first set, the rest
    // to the test: with 5% allowed, a binomial test over n out-of-scope records at 0.025 passes
    // only while at most k are kept (n = 75: k = 0; n = 113: k = 1; n = 150: k = 2), so the
    // test needs most of the few out-of-scope records there are.
    IntentData first = guaranteed ? new IntentData(calibration.part(0, 2).inScope(),
        calibration.part(0, 4).outOfScope()) : calibration;
    TrainingData data = new TrainingData(train.inScope(), first.inScope(), first.outOfScope());
    progress.accept("Training on " + train.inScope().size() + " examples, calibrating on "
        + first.inScope().size() + " + " + first.outOfScope().size() + " out-of-scope");
    HeadInfo head = classifier.train(data);
    progress.accept(String.format("Trained a %s head in %.1f s (temperature %.3f)",
        head.kind().id(), head.trainingTime().toNanos() / 1e9, head.temperature()));
    if (!guaranteed) {
      RoutingThresholds thresholds = RoutingThresholds.choose(outcomes(classifier, first),
          options.localAccuracy(), options.maxOutOfScopeKept());
      progress.accept(String.format("Routing: keep local at confidence >= %.4f and novelty"
          + " <= %.2f", thresholds.minConfidence(), thresholds.maxNovelty()));
      return new Round(classifier, head, thresholds, null);
    }
    List<String> secondOos = new ArrayList<>();
    for (int k = 1; k < 4; k++) {
      secondOos.addAll(calibration.part(k, 4).outOfScope());
    }
    IntentData second = new IntentData(calibration.part(1, 2).inScope(), secondOos);
    GuaranteedThresholds g = GuaranteedThresholds.choose(outcomes(classifier, first),
        outcomes(classifier, second), options.localAccuracy(), options.maxOutOfScopeKept(),
        1 - options.guaranteeConfidence());
    progress.accept(String.format("Routing: keep local at confidence >= %.4f and novelty <= %.2f;"
        + " on %d held-back records it kept %d with %d errors and %d of %d out-of-scope"
        + " (p = %.3g, %.3g), so with probability %.2f kept accuracy >= %.2f and out-of-scope"
        + " kept <= %.2f", g.thresholds().minConfidence(), g.thresholds().maxNovelty(),
        second.size(), g.kept(), g.errors(), g.outOfScopeKept(), g.outOfScope(), g.pAccuracy(),
        g.pOutOfScope(), options.guaranteeConfidence(), options.localAccuracy(),
        options.maxOutOfScopeKept()));
    return new Round(classifier, head, g.thresholds(), g);
  }

  private static List<RoutingThresholds.Outcome> outcomes(TextClassifier classifier,
      IntentData records) {
    List<String> texts = new ArrayList<>();
    records.inScope().forEach(e -> texts.add(e.text()));
    texts.addAll(records.outOfScope());
    List<Prediction> predictions = classifier.classify(texts);
    List<RoutingThresholds.Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < predictions.size(); i++) {
      boolean inScope = i < records.inScope().size();
      LabelledText truth = inScope ? records.inScope().get(i) : null;
      outcomes.add(new RoutingThresholds.Outcome(predictions.get(i),
          inScope && predictions.get(i).label().equals(truth.label()), inScope));
    }
    return outcomes;
  }

  private Report report(List<Round> rounds, List<Scored> scored, IntentData train,
      IntentData test, boolean cross, long classifyNanos, int classified) {
    int inScope = 0;
    int correct = 0;
    int oos = 0;
    int oosNovel = 0;
    int kept = 0;
    int keptCorrect = 0;
    int oosKept = 0;
    int flipped = 0;
    for (Scored s : scored) {
      boolean local = s.thresholds().keepLocal(s.batched());
      if (s.inScope()) {
        inScope++;
        correct += s.correct() ? 1 : 0;
        kept += local ? 1 : 0;
        keptCorrect += local && s.correct() ? 1 : 0;
      } else {
        oos++;
        oosNovel += s.batched().novel() ? 1 : 0;
        oosKept += local ? 1 : 0;
      }
      flipped += flipped(s) ? 1 : 0;
    }
    double trainSeconds = rounds.stream()
        .mapToDouble(r -> r.head().trainingTime().toNanos() / 1e9).average().orElse(0);
    return new Report(ratio(correct, inScope), ratio(oosNovel, oos), ratio(kept, inScope),
        ratio(keptCorrect, kept), ratio(oosKept, oos), trainSeconds,
        classified / (classifyNanos / 1e9), ratio(flipped, scored.size()),
        cross ? "cross-calibrated halves of val" : "calibrated on val, scored on test",
        train.inScope().size(), test.inScope().size(), test.outOfScope().size(),
        rounds.stream().map(Round::head).toList(),
        rounds.stream().map(Round::thresholds).toList(), encoder.modelId(),
        encoder.batchInvariant(), rounds.stream().map(Round::guarantee)
            .filter(java.util.Objects::nonNull).toList());
  }

  private static boolean flipped(Scored s) {
    RoutingThresholds t = s.thresholds();
    return !s.batched().label().equals(s.alone().label())
        || s.batched().novel() != s.alone().novel()
        || (s.batched().confidence() < t.minConfidence())
            != (s.alone().confidence() < t.minConfidence());
  }

  private static double ratio(int part, int whole) {
    return whole == 0 ? Double.NaN : (double) part / whole;
  }

  private static boolean same(Path a, Path b) {
    try {
      return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }
}
