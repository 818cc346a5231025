package io.sluice.inference.generate;

import io.sluice.inference.generate.internal.CachedPrefix;
import io.sluice.inference.generate.internal.DecoderModel;
import io.sluice.inference.generate.internal.KvCache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Classifies records by asking which label the model finds the likeliest continuation of the
 * prompt: each label's log-likelihood is the sum of its tokens' log-probabilities after the
 * prompt, and a {@link Calibration} turns the likelihoods into probabilities and a confidence.
 *
 * <p>Work is shared at three levels. The template's static prefix is run once per model version
 * (the {@link PrefixCache}). Each record's own prompt is run once, batched across records, and its
 * state is then shared read-only by all labels. The label continuations of every record are scored
 * in batched calls (the first label token needs no call: it is scored from the prompt's last
 * logits). Thread-safe; model calls are serialised by the model.
 */
public final class LabelScorer {

  private final CausalLm lm;
  private final PromptTemplate template;
  private final List<String> labels;
  private final int[][] labelIds;
  private final Calibration calibration;
  private final PrefixCache prefixCache;
  private final int maxBatchRows;

  /**
   * @param labelPrefix put between the prompt and each label, usually a space so that a label is
   *     tokenized as a word continuing the prompt
   * @param maxBatchRows most rows in one model call
   */
  public LabelScorer(CausalLm lm, PromptTemplate template, List<String> labels, String labelPrefix,
      Calibration calibration, PrefixCache prefixCache, int maxBatchRows) {
    this(lm, template, labels, encode(lm, labels, labelPrefix), calibration, prefixCache,
        maxBatchRows);
  }

  private LabelScorer(CausalLm lm, PromptTemplate template, List<String> labels, int[][] labelIds,
      Calibration calibration, PrefixCache prefixCache, int maxBatchRows) {
    if (labels.size() < 2) {
      throw new IllegalArgumentException("Label scoring needs at least two labels, got " + labels);
    }
    if (maxBatchRows < 1) {
      throw new IllegalArgumentException("maxBatchRows must be positive, got " + maxBatchRows);
    }
    this.lm = lm;
    this.template = template;
    this.labels = List.copyOf(labels);
    this.labelIds = labelIds;
    this.calibration = calibration;
    this.prefixCache = prefixCache;
    this.maxBatchRows = maxBatchRows;
  }

  private static int[][] encode(CausalLm lm, List<String> labels, String labelPrefix) {
    int[][] ids = new int[labels.size()][];
    for (int i = 0; i < labels.size(); i++) {
      ids[i] = lm.tokenizer().encode(labelPrefix + labels.get(i));
      if (ids[i].length == 0) {
        throw new IllegalArgumentException("Label '" + labels.get(i) + "' has no tokens");
      }
    }
    return ids;
  }

  /** The same scorer with another calibration (for example one from {@link Calibration#fit}). */
  public LabelScorer withCalibration(Calibration newCalibration) {
    return new LabelScorer(lm, template, labels, labelIds, newCalibration, prefixCache,
        maxBatchRows);
  }

  public List<String> labels() {
    return labels;
  }

  public Calibration calibration() {
    return calibration;
  }

  /** Scores one record whose only field is {@code input}. */
  public LabelScores score(String input) {
    return score(List.of(Map.of("input", input))).get(0);
  }

  public List<LabelScores> score(List<Map<String, String>> records) {
    List<PromptTemplate.Tokens> tokens = new ArrayList<>();
    for (Map<String, String> record : records) {
      tokens.add(template.tokens(lm.tokenizer(), record));
    }
    int[] prefix = tokens.isEmpty() ? new int[0] : tokens.get(0).prefix();
    CachedPrefix shared = prefix.length > 0
        ? GenerationEngine.prefix(lm, prefixCache, prefix) : null;

    // 1. Each record's prompt after the shared prefix, batched.
    KvCache[] caches = new KvCache[records.size()];
    float[][] lastLogits = new float[records.size()][];
    List<Integer> toRun = new ArrayList<>();
    for (int r = 0; r < records.size(); r++) {
      int[] rest = tokens.get(r).rest();
      if (rest.length == 0) {
        if (shared == null) {
          throw new IllegalArgumentException("Record " + r + " renders to an empty prompt");
        }
        caches[r] = shared.cache();
        lastLogits[r] = shared.lastLogits();
      } else {
        caches[r] = shared != null ? shared.cache().copy(rest.length)
            : lm.model().newCache(rest.length);
        toRun.add(r);
      }
    }
    for (int from = 0; from < toRun.size(); from += maxBatchRows) {
      List<Integer> chunk = toRun.subList(from, Math.min(toRun.size(), from + maxBatchRows));
      List<DecoderModel.Row> rows = new ArrayList<>();
      for (int r : chunk) {
        rows.add(new DecoderModel.Row(caches[r], tokens.get(r).rest(), true));
      }
      float[][] logits = lm.model().forward(rows, DecoderModel.Logits.LAST);
      for (int i = 0; i < chunk.size(); i++) {
        lastLogits[chunk.get(i)] = logits[i];
        caches[chunk.get(i)].freeze();
      }
    }

    // 2. First label tokens from the prompt's logits; the rest from batched continuation calls.
    int vocab = lm.config().vocabSize();
    double[][] logLikelihood = new double[records.size()][labels.size()];
    List<int[]> continuations = new ArrayList<>();
    for (int r = 0; r < records.size(); r++) {
      double normalizer = logSumExp(lastLogits[r], 0, vocab);
      for (int l = 0; l < labels.size(); l++) {
        logLikelihood[r][l] = lastLogits[r][labelIds[l][0]] - normalizer;
        if (labelIds[l].length > 1) {
          continuations.add(new int[] {r, l});
        }
      }
    }
    for (int from = 0; from < continuations.size(); from += maxBatchRows) {
      List<int[]> chunk = continuations.subList(from,
          Math.min(continuations.size(), from + maxBatchRows));
      List<DecoderModel.Row> rows = new ArrayList<>();
      for (int[] rl : chunk) {
        int[] ids = labelIds[rl[1]];
        rows.add(new DecoderModel.Row(caches[rl[0]], Arrays.copyOf(ids, ids.length - 1), false));
      }
      float[][] logits = lm.model().forward(rows, DecoderModel.Logits.ALL);
      for (int i = 0; i < chunk.size(); i++) {
        int[] ids = labelIds[chunk.get(i)[1]];
        for (int j = 1; j < ids.length; j++) {
          int offset = (j - 1) * vocab;
          logLikelihood[chunk.get(i)[0]][chunk.get(i)[1]] +=
              logits[i][offset + ids[j]] - logSumExp(logits[i], offset, vocab);
        }
      }
    }

    int[] counts = new int[labels.size()];
    for (int l = 0; l < labels.size(); l++) {
      counts[l] = labelIds[l].length;
    }
    List<LabelScores> out = new ArrayList<>();
    for (int r = 0; r < records.size(); r++) {
      out.add(LabelScores.of(labels, logLikelihood[r], counts, calibration));
    }
    return out;
  }

  private static double logSumExp(float[] logits, int offset, int vocab) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) {
      max = Math.max(max, logits[offset + i]);
    }
    double sum = 0;
    for (int i = 0; i < vocab; i++) {
      sum += Math.exp(logits[offset + i] - max);
    }
    return max + Math.log(sum);
  }
}
