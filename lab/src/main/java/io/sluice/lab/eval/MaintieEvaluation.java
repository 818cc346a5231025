package io.sluice.lab.eval;

import io.sluice.inference.ModelBundle;
import io.sluice.inference.Ticker;
import io.sluice.inference.extract.AnnotatedText;
import io.sluice.inference.extract.Entity;
import io.sluice.inference.extract.EntityCorpus;
import io.sluice.inference.extract.EntityHead;
import io.sluice.inference.extract.EntityHeadSettings;
import io.sluice.inference.extract.EntityResult;
import io.sluice.inference.extract.EntityScores;
import io.sluice.inference.extract.EntitySpan;
import io.sluice.inference.extract.EntityTypes;
import io.sluice.inference.extract.TrainedEntityExtractor;
import io.sluice.inference.extract.WordEncoder;
import io.sluice.inference.extract.WordEncoderSettings;
import io.sluice.inference.extract.WordStates;
import io.sluice.inference.extract.Words;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The MaintIE harness behind {@code sluice eval maintie}: encode the training texts' words with
 * the frozen encoder, train an entity head on them, then extract from the test texts and score
 * exact spans and types at the chosen hierarchy level ({@link EntityScores}).
 *
 * <p>Timing. {@code trainSeconds} is everything a gateway spends to learn: encoding the training
 * words plus training the head. Throughput is measured after training, over {@code rounds}
 * passes of the whole extraction (tokenize, encode in planned batches, tag, decode) over the test
 * texts; the median pass gives {@code textsPerSecond}. Times come from the injected ticker.
 */
public final class MaintieEvaluation {

  /**
   * @param head the head's training settings (its level is the scoring level)
   * @param encoder how words become states
   * @param rounds timed extraction passes over the test texts
   * @param scheme MaintIE's {@code scheme.json}, for listing types in scheme order; may be null
   * @param saveHead where to save the trained head; may be null
   */
  public record Options(EntityHeadSettings head, WordEncoderSettings encoder, int rounds,
      Path scheme, Path saveHead) {

    public static final Options DEFAULT = new Options(EntityHeadSettings.DEFAULT,
        WordEncoderSettings.DEFAULT, 3, null, null);

    public Options {
      if (rounds < 1) {
        throw new IllegalArgumentException("rounds must be at least 1, got " + rounds);
      }
    }
  }

  /**
   * The figures, named as in the JSON report.
   *
   * @param encodeSeconds of {@code trainSeconds}, the time spent encoding training words
   * @param passSeconds the time of each timed extraction pass over the test texts
   */
  public record Report(EntityScores scores, double trainSeconds, double encodeSeconds,
      double textsPerSecond, double[] passSeconds, int trainTexts, int testTexts,
      int skippedEntities, String model, List<Integer> layers, String pooling,
      int nestingLayers, String tagging, boolean crf, int ensemble, List<String> types,
      Confidence confidence) {

    /** The report as the ordered JSON object {@code sluice eval maintie --json} prints. */
    public Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("micro_f1", round(scores.typed().f1()));
      json.put("untyped_f1", round(scores.untyped().f1()));
      json.put("micro_precision", round(scores.typed().precision()));
      json.put("micro_recall", round(scores.typed().recall()));
      Map<String, Object> perClass = new LinkedHashMap<>();
      scores.perClass().forEach((type, s) -> {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("precision", round(s.precision()));
        c.put("recall", round(s.recall()));
        c.put("f1", round(s.f1()));
        c.put("gold", s.gold());
        c.put("predicted", s.predicted());
        perClass.put(type, c);
      });
      json.put("per_class", perClass);
      json.put("train_seconds", round(trainSeconds));
      json.put("encode_seconds", round(encodeSeconds));
      json.put("texts_per_s", Math.round(textsPerSecond * 10) / 10.0);
      json.put("level", scores.level());
      json.put("train_texts", trainTexts);
      json.put("test_texts", testTexts);
      json.put("gold_entities", scores.typed().gold());
      json.put("predicted_entities", scores.typed().predicted());
      json.put("skipped_training_entities", skippedEntities);
      json.put("model", model);
      json.put("layers", layers);
      json.put("subword_pooling", pooling);
      json.put("nesting_layers", nestingLayers);
      json.put("tagging", tagging);
      json.put("crf", crf);
      json.put("ensemble", ensemble);
      json.put("entity_confidence_ece", round(confidence.entityCalibrationError()));
      json.put("uncertain_below", confidence.uncertainBelow());
      json.put("uncertain_text_share", round(confidence.uncertainShare()));
      json.put("exact_text_share_certain", round(confidence.exactCertain()));
      json.put("exact_text_share_uncertain", round(confidence.exactUncertain()));
      return json;
    }

    private static double round(double v) {
      return Math.round(v * 10_000) / 10_000.0;
    }
  }

  /**
   * How well confidences tell right from wrong on the test texts.
   *
   * @param entityCalibrationError expected calibration error of entity confidences: predicted
   *     entities in ten equal-width confidence bins, the mean gap between a bin's mean confidence
   *     and the share of its entities that are gold (span and type), weighted by bin size
   * @param uncertainBelow the text confidence below which a text counts as uncertain (the extract
   *     step's default)
   * @param uncertainShare share of test texts that are uncertain
   * @param exactCertain share of certain texts whose entities are all exactly right
   * @param exactUncertain the same among uncertain texts
   */
  public record Confidence(double entityCalibrationError, double uncertainBelow,
      double uncertainShare, double exactCertain, double exactUncertain) {}

  /** The extract step's default threshold for an uncertain text. */
  static final double UNCERTAIN_BELOW = 0.5;

  private final ModelBundle bundle;
  private final Options options;
  private final Ticker ticker;
  private final Consumer<String> progress;

  public MaintieEvaluation(ModelBundle bundle, Options options, Ticker ticker,
      Consumer<String> progress) {
    this.bundle = bundle;
    this.options = options;
    this.ticker = ticker;
    this.progress = progress;
  }

  /** Trains on {@code trainFile} and scores {@code testFile} (both in MaintIE's format). */
  public Report run(Path trainFile, Path testFile) {
    List<AnnotatedText> train = EntityCorpus.readMaintie(trainFile);
    List<AnnotatedText> test = EntityCorpus.readMaintie(testFile);
    List<String> typeOrder = options.scheme() == null ? List.of()
        : EntityTypes.readScheme(options.scheme()).all();
    progress.accept("Read " + train.size() + " training and " + test.size() + " test texts");
    WordEncoder encoder = WordEncoder.open(bundle, options.encoder(), new SimpleMeterRegistry());
    Trained trained;
    try {
      trained = train(encoder, train, typeOrder);
    } catch (RuntimeException e) {
      encoder.close();
      throw e;
    }
    try (TrainedEntityExtractor extractor = trained.extractor()) {
      return score(trained, train.size(), test);
    }
  }

  private record Trained(TrainedEntityExtractor extractor, double encodeSeconds,
      double trainSeconds) {}

  private Trained train(WordEncoder encoder, List<AnnotatedText> train, List<String> typeOrder) {
    long start = ticker.read();
    List<WordStates> states = encoder.encode(train.stream().map(AnnotatedText::words).toList());
    double encodeSeconds = seconds(ticker.read() - start);
    progress.accept(String.format("Encoded the training words in %.1f s; training the head"
        + " (%d epochs)", encodeSeconds, options.head().epochs()));
    TrainedEntityExtractor extractor = TrainedEntityExtractor.of(encoder,
        EntityHead.train(encoder, train, states, typeOrder, options.head()));
    double trainSeconds = seconds(ticker.read() - start);
    progress.accept(String.format("Trained in %.1f s", trainSeconds));
    if (options.saveHead() != null) {
      extractor.head().save(options.saveHead());
      progress.accept("Saved the head to " + options.saveHead());
    }
    return new Trained(extractor, encodeSeconds, trainSeconds);
  }

  private Report score(Trained trained, int trainTexts, List<AnnotatedText> test) {
    TrainedEntityExtractor extractor = trained.extractor();
    List<Words> words = new ArrayList<>(test.size());
    for (AnnotatedText text : test) {
      words.add(text.words());
    }
    List<EntityResult> results = null;
    double[] passes = new double[options.rounds()];
    for (int round = 0; round < options.rounds(); round++) {
      long start = ticker.read();
      results = extractor.extract(words);
      passes[round] = seconds(ticker.read() - start);
      progress.accept(String.format("Pass %d of %d over %d test texts: %.2f s", round + 1,
          options.rounds(), test.size(), passes[round]));
    }
    double[] sorted = passes.clone();
    Arrays.sort(sorted);
    double median = sorted[sorted.length / 2];
    EntityScores scores = EntityScores.scoreResults(test, results, options.head().level());
    return new Report(scores, trained.trainSeconds(), trained.encodeSeconds(),
        median > 0 ? test.size() / median : 0, passes, trainTexts, test.size(),
        extractor.head().skippedEntities(), extractor.modelId(),
        extractor.encoder().settings().layers(), extractor.encoder().settings().pooling().id(),
        extractor.head().nestingLayers(), extractor.head().tagging().id(),
        extractor.head().crf(), extractor.head().ensemble(), extractor.head().types(),
        confidence(test, results, options.head().level()));
  }

  static Confidence confidence(List<AnnotatedText> gold, List<EntityResult> results, int level) {
    int bins = 10;
    double[] sum = new double[bins];
    int[] count = new int[bins];
    int[] right = new int[bins];
    int uncertain = 0;
    int exactCertain = 0;
    int exactUncertain = 0;
    for (int i = 0; i < gold.size(); i++) {
      Set<EntitySpan> truth = new HashSet<>();
      for (EntitySpan e : gold.get(i).entities()) {
        truth.add(new EntitySpan(e.start(), e.end(), EntityTypes.atLevel(e.type(), level)));
      }
      Set<EntitySpan> found = new HashSet<>();
      for (Entity e : results.get(i).entities()) {
        EntitySpan span = new EntitySpan(e.firstWord(), e.endWord(),
            EntityTypes.atLevel(e.type(), level));
        found.add(span);
        int bin = Math.min(bins - 1, (int) (e.confidence() * bins));
        sum[bin] += e.confidence();
        count[bin]++;
        right[bin] += truth.contains(span) ? 1 : 0;
      }
      boolean exact = truth.equals(found);
      if (results.get(i).confidence() < UNCERTAIN_BELOW) {
        uncertain++;
        exactUncertain += exact ? 1 : 0;
      } else {
        exactCertain += exact ? 1 : 0;
      }
    }
    int total = 0;
    double gap = 0;
    for (int b = 0; b < bins; b++) {
      if (count[b] > 0) {
        gap += Math.abs(sum[b] / count[b] - (double) right[b] / count[b]) * count[b];
        total += count[b];
      }
    }
    int certain = gold.size() - uncertain;
    return new Confidence(total == 0 ? 0 : gap / total, UNCERTAIN_BELOW,
        gold.isEmpty() ? 0 : (double) uncertain / gold.size(),
        certain == 0 ? 0 : (double) exactCertain / certain,
        uncertain == 0 ? 0 : (double) exactUncertain / uncertain);
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
