package io.sluice.inference.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sluice.inference.generate.internal.DecoderModel;
import io.sluice.inference.generate.internal.KvCache;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Label log-likelihoods equal a brute-force full-sequence computation; calibration fits. */
class LabelScorerTest extends TinyModelTest {

  private static final PromptTemplate TEMPLATE = new PromptTemplate("triage", "1",
      "Classify the work order.\nOrder: {{input}}\nKind:");
  private static final List<String> LABELS = List.of("electrical", "mechanical",
      "hydraulic leak", "other");

  @Test
  void likelihoodsEqualFullRecomputation() {
    LabelScorer scorer = new LabelScorer(decoder, TEMPLATE, LABELS, " ", Calibration.none(),
        new PrefixCache(1 << 20), 16);
    List<String> texts = TinyModels.texts(6);
    List<Map<String, String>> records = new ArrayList<>();
    texts.forEach(t -> records.add(Map.of("input", t)));
    List<LabelScores> scores = scorer.score(records);
    for (int r = 0; r < texts.size(); r++) {
      for (int l = 0; l < LABELS.size(); l++) {
        double expected = bruteForce(TEMPLATE.render(records.get(r)), " " + LABELS.get(l));
        assertThat(scores.get(r).logLikelihoods()[l]).as(texts.get(r) + " / " + LABELS.get(l))
            .isCloseTo(expected, within(1e-3));
      }
      double sum = 0;
      for (double p : scores.get(r).probabilities()) {
        sum += p;
      }
      assertThat(sum).isCloseTo(1.0, within(1e-9));
    }
  }

  @Test
  void batchedEqualsOneAtATimeAndReusesThePrefix() {
    PrefixCache cache = new PrefixCache(1 << 20);
    LabelScorer batched = new LabelScorer(decoder, TEMPLATE, LABELS, " ", Calibration.none(),
        cache, 16);
    LabelScorer single = new LabelScorer(decoder, TEMPLATE, LABELS, " ", Calibration.none(),
        cache, 1);
    List<Map<String, String>> records = new ArrayList<>();
    TinyModels.texts(10).forEach(t -> records.add(Map.of("input", t)));
    List<LabelScores> a = batched.score(records);
    for (int r = 0; r < records.size(); r++) {
      LabelScores b = single.score(List.of(records.get(r))).get(0);
      assertThat(a.get(r).logLikelihoods()).containsExactly(b.logLikelihoods(), within(1e-4));
      assertThat(a.get(r).label()).isEqualTo(b.label());
    }
    assertThat(cache.stats().misses()).isEqualTo(1);
    assertThat(cache.stats().hits()).isEqualTo(records.size());
  }

  @Test
  void calibrationCoolsOverconfidentScores() {
    // Synthetic scores: the true label usually wins, but by margins that overstate certainty.
    Random random = new Random(3);
    List<LabelScores> scored = new ArrayList<>();
    List<String> truth = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      int correct = random.nextInt(3);
      double[] ll = new double[3];
      for (int l = 0; l < 3; l++) {
        ll[l] = -20 + random.nextGaussian() * 6 + (l == correct ? 8 : 0);
      }
      scored.add(LabelScores.of(List.of("a", "b", "c"), ll, new int[] {1, 1, 1},
          Calibration.none()));
      truth.add(List.of("a", "b", "c").get(correct));
    }
    Calibration fitted = Calibration.fit(scored, truth, false);
    assertThat(fitted.temperature()).isGreaterThan(1.5);
    assertThat(fitted.negativeLogLikelihood(scored, truth))
        .isLessThan(Calibration.none().negativeLogLikelihood(scored, truth));
    LabelScores cooled = scored.get(0).recalibrated(fitted);
    assertThat(cooled.confidence()).isLessThan(scored.get(0).confidence());
    assertThat(cooled.label()).isEqualTo(scored.get(0).label());
  }

  /** Runs prompt + label through the model in one call and sums the label tokens' log-probs. */
  private double bruteForce(String prompt, String label) {
    int[] promptIds = decoder.tokenizer().encode(TEMPLATE.staticPrefix());
    int[] restIds = decoder.tokenizer().encode(prompt.substring(TEMPLATE.staticPrefix().length()));
    int[] labelIds = decoder.tokenizer().encode(label);
    int[] all = new int[promptIds.length + restIds.length + labelIds.length];
    System.arraycopy(promptIds, 0, all, 0, promptIds.length);
    System.arraycopy(restIds, 0, all, promptIds.length, restIds.length);
    System.arraycopy(labelIds, 0, all, promptIds.length + restIds.length, labelIds.length);
    KvCache cache = decoder.model().newCache(all.length);
    float[] logits = decoder.model().forward(List.of(new DecoderModel.Row(cache, all, true)),
        DecoderModel.Logits.ALL)[0];
    int vocab = decoder.config().vocabSize();
    double total = 0;
    for (int j = 0; j < labelIds.length; j++) {
      int position = promptIds.length + restIds.length - 1 + j;
      double max = Double.NEGATIVE_INFINITY;
      for (int v = 0; v < vocab; v++) {
        max = Math.max(max, logits[position * vocab + v]);
      }
      double sum = 0;
      for (int v = 0; v < vocab; v++) {
        sum += Math.exp(logits[position * vocab + v] - max);
      }
      total += logits[position * vocab + labelIds[j]] - max - Math.log(sum);
    }
    return total;
  }
}
