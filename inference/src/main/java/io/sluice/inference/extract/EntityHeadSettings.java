package io.sluice.inference.extract;

import java.util.ArrayList;
import java.util.List;

/**
 * How an {@link EntityHead} is trained.
 *
 * @param level the type hierarchy level entities are typed at (1 = the top classes)
 * @param nestingLayers how many levels of nested entities are tagged: 1 keeps only the outermost
 *     entities, 2 also those directly inside them (MaintIE's {@code horn} in {@code air horn}), ...
 * @param hidden hidden units of the tagger
 * @param context neighbouring words on each side a word's tagger sees
 * @param epochs passes over the training words
 * @param batchSize words per update
 * @param learningRate Adam's step size
 * @param weightDecay L2 on the weights
 * @param dropout share of hidden units dropped in training
 * @param ensemble networks trained from consecutive seeds whose tag probabilities are averaged
 * @param threads workers that share a mini-batch
 * @param lexicon whether the tagger also sees what the training texts say about each word and
 *     each pair of neighbours (tag counts; cross-fitted in training)
 * @param calibrationShare share of the training texts held out, in a first training, to fit the
 *     temperature of the tag probabilities; the head itself then trains on all texts (0: no
 *     calibration, temperature 1)
 * @param averaging decay of the moving average of the weights the head keeps (0 = the last
 *     weights)
 * @param seed seeds initialization, shuffling and dropout, so training is repeatable
 * @param tagging the tag scheme the tagger learns
 * @param crf whether each tagging layer is a linear-chain CRF (learned transition scores,
 *     trained on whole tag paths) instead of a softmax per word; on MaintIE's dev split it was
 *     no better (docs/BENCHMARKS.md, Extraction), so it is off by default
 */
public record EntityHeadSettings(int level, int nestingLayers, int hidden, int context,
    int epochs, int batchSize, double learningRate, double weightDecay, double dropout,
    int ensemble, int threads, boolean lexicon, double calibrationShare, double averaging,
    long seed, Tagging tagging, boolean crf) {

  /**
   * How words are tagged: {@code BIO} (begin, inside, outside) or {@code IOBES}, which adds an
   * end tag and a single-word tag, so the tagger learns where an entity stops as well as where
   * it starts.
   */
  public enum Tagging {
    BIO, IOBES;

    /** The name as written in files and options: {@code bio} or {@code iobes}. */
    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The tagging named {@code id}, in any case.
     *
     * @throws IllegalArgumentException naming the choices
     */
    public static Tagging of(String id) {
      for (Tagging t : values()) {
        if (t.id().equalsIgnoreCase(id)) {
          return t;
        }
      }
      throw new IllegalArgumentException("unknown tagging '" + id + "'; expected bio or iobes");
    }
  }

  /**
   * Level 1, two nesting layers, 256 hidden units seeing one neighbour on each side, 20 epochs,
   * dropout 0.5, lexicon features and weight averaging: the best and least seed-dependent of the
   * alternatives measured on MaintIE's dev split (docs/BENCHMARKS.md, Extraction); a fifth of the
   * training texts calibrates the temperature.
   */
  public static final EntityHeadSettings DEFAULT =
      new EntityHeadSettings(1, 2, 256, 1, 20, 64, 1e-3, 1e-4, 0.5, 1, 2, true, 0.2, 0.995,
          42, Tagging.IOBES, false);

  public EntityHeadSettings {
    List<String> problems = new ArrayList<>();
    check(level >= 1, "level must be at least 1, got " + level, problems);
    check(nestingLayers >= 1, "nestingLayers must be at least 1, got " + nestingLayers,
        problems);
    check(hidden >= 1, "hidden must be at least 1, got " + hidden, problems);
    check(context >= 0, "context must not be negative, got " + context, problems);
    check(epochs >= 1, "epochs must be at least 1, got " + epochs, problems);
    check(batchSize >= 1, "batchSize must be at least 1, got " + batchSize, problems);
    check(learningRate > 0, "learningRate must be positive, got " + learningRate, problems);
    check(weightDecay >= 0, "weightDecay must not be negative, got " + weightDecay, problems);
    check(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got " + dropout, problems);
    check(ensemble >= 1, "ensemble must be at least 1, got " + ensemble, problems);
    check(threads >= 1, "threads must be at least 1, got " + threads, problems);
    check(calibrationShare >= 0 && calibrationShare <= 0.5, "calibrationShare must be in"
        + " [0, 0.5], got " + calibrationShare, problems);
    check(averaging >= 0 && averaging < 1, "averaging must be in [0, 1), got " + averaging,
        problems);
    check(tagging != null, "tagging must be bio or iobes", problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid entity head settings: "
          + String.join("; ", problems));
    }
  }

  private static void check(boolean ok, String problem, List<String> problems) {
    if (!ok) {
      problems.add(problem);
    }
  }

  public EntityHeadSettings withLevel(int newLevel) {
    return with(c -> c.level = newLevel);
  }

  public EntityHeadSettings withNestingLayers(int newNestingLayers) {
    return with(c -> c.nestingLayers = newNestingLayers);
  }

  public EntityHeadSettings withTagger(int newHidden, int newContext, int newEpochs) {
    return with(c -> {
      c.hidden = newHidden;
      c.context = newContext;
      c.epochs = newEpochs;
    });
  }

  public EntityHeadSettings withThreads(int newThreads) {
    return with(c -> c.threads = newThreads);
  }

  public EntityHeadSettings withAveraging(double newAveraging) {
    return with(c -> c.averaging = newAveraging);
  }

  public EntityHeadSettings withDropout(double newDropout) {
    return with(c -> c.dropout = newDropout);
  }

  public EntityHeadSettings withLexicon(boolean newLexicon) {
    return with(c -> c.lexicon = newLexicon);
  }

  public EntityHeadSettings withEnsemble(int newEnsemble) {
    return with(c -> c.ensemble = newEnsemble);
  }

  public EntityHeadSettings withCalibrationShare(double newCalibrationShare) {
    return with(c -> c.calibrationShare = newCalibrationShare);
  }

  public EntityHeadSettings withSeed(long newSeed) {
    return with(c -> c.seed = newSeed);
  }

  public EntityHeadSettings withTagging(Tagging newTagging) {
    return with(c -> c.tagging = newTagging);
  }

  public EntityHeadSettings withCrf(boolean newCrf) {
    return with(c -> c.crf = newCrf);
  }

  /** A copy with some fields changed (validated like any new settings). */
  private EntityHeadSettings with(java.util.function.Consumer<Copy> change) {
    Copy copy = new Copy(this);
    change.accept(copy);
    return copy.settings();
  }

  /** The fields of a settings value, open to change while one copy is made. */
  private static final class Copy {
    int level;
    int nestingLayers;
    int hidden;
    int context;
    int epochs;
    int batchSize;
    double learningRate;
    double weightDecay;
    double dropout;
    int ensemble;
    int threads;
    boolean lexicon;
    double calibrationShare;
    double averaging;
    long seed;
    Tagging tagging;
    boolean crf;

    Copy(EntityHeadSettings s) {
      level = s.level;
      nestingLayers = s.nestingLayers;
      hidden = s.hidden;
      context = s.context;
      epochs = s.epochs;
      batchSize = s.batchSize;
      learningRate = s.learningRate;
      weightDecay = s.weightDecay;
      dropout = s.dropout;
      ensemble = s.ensemble;
      threads = s.threads;
      lexicon = s.lexicon;
      calibrationShare = s.calibrationShare;
      averaging = s.averaging;
      seed = s.seed;
      tagging = s.tagging;
      crf = s.crf;
    }

    EntityHeadSettings settings() {
      return new EntityHeadSettings(level, nestingLayers, hidden, context, epochs, batchSize,
          learningRate, weightDecay, dropout, ensemble, threads, lexicon, calibrationShare,
          averaging, seed, tagging, crf);
    }
  }
}
