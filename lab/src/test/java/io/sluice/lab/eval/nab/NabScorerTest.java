package io.sluice.lab.eval.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hand-made cases. One series of 100 rows: the probationary period is floor(0.15 * 100) = 15
 * rows (0..14); one labelled window covers rows 40..59 (length 20). With sigma(y) = 2 / (1 +
 * e^(5y)) - 1: sigma(-1) = 0.98661430, and a window's first row is worth exactly A_TP. For the
 * standard profile the null detector scores -1 (one missed window), the perfect one +1, so
 * normalised = 100 * (raw + 1) / 2.
 */
class NabScorerTest {

  private static final NabSeries SERIES = series(100, List.of(new NabSeries.Window(40, 59)));

  private static NabSeries series(int rows, List<NabSeries.Window> windows) {
    long[] times = new long[rows];
    for (int i = 0; i < rows; i++) {
      times[i] = i * 60_000L;
    }
    return new NabSeries("test/one.csv", times, new double[rows], windows);
  }

  private static double[] flags(int... rows) {
    double[] scores = new double[100];
    for (int row : rows) {
      scores[row] = 1.0;
    }
    return scores;
  }

  private static NabScorer.Result at(double[] scores, NabProfile profile) {
    return NabScorer.scoreAt(List.of(SERIES), List.of(scores), profile, 0.5);
  }

  @Test
  void detectionAtTheWindowsFirstRowIsPerfect() {
    // y = -(59 - 40 + 1) / 20 = -1: reward A_TP * sigma(-1) / sigma(-1) = 1. raw 1 -> 100.
    NabScorer.Result result = at(flags(40), NabProfile.STANDARD);
    assertThat(result.raw()).isCloseTo(1.0, within(1e-12));
    assertThat(result.normalized()).isCloseTo(100.0, within(1e-9));
    assertThat(result.nullScore()).isEqualTo(-1.0);
    assertThat(result.perfectScore()).isEqualTo(1.0);
  }

  @Test
  void detectionHalfwayEarnsTheScaledSigmoid() {
    // Row 50: y = -(59 - 50 + 1) / 20 = -0.5; sigma(-0.5) = 2 / (1 + e^-2.5) - 1 = 0.84828;
    // / 0.98661 = 0.85979. Normalised 100 * 1.85979 / 2 = 92.99.
    NabScorer.Result result = at(flags(50), NabProfile.STANDARD);
    assertThat(result.raw()).isCloseTo(0.8597926, within(1e-6));
    assertThat(result.normalized()).isCloseTo(92.98963, within(1e-4));
    assertThat(result.detectedWindows()).isEqualTo(1);
  }

  @Test
  void aWindowCountsOnceWithItsEarliestDetection() {
    // Rows 45 and 55: only row 45 counts, y = -15 / 20 = -0.75: sigma = 0.95405, / 0.98661 =
    // 0.96699. Row 55 is neither rewarded again nor a false positive.
    NabScorer.Result result = at(flags(45, 55), NabProfile.STANDARD);
    assertThat(result.raw()).isCloseTo(0.9669891, within(1e-6));
    assertThat(result.falsePositives()).isZero();
  }

  @Test
  void falsePositivesCostFullBeforeAnyWindowAndLessJustAfterOne() {
    // Row 20, no window before it: -A_FP = -0.11, and the window is missed (-1): raw -1.11,
    // normalised 100 * (-0.11) / 2 = -5.5.
    NabScorer.Result before = at(flags(20), NabProfile.STANDARD);
    assertThat(before.raw()).isCloseTo(-1.11, within(1e-12));
    assertThat(before.normalized()).isCloseTo(-5.5, within(1e-9));
    // Row 69 after a detection at 40: y = (69 - 59) / (20 - 1) = 0.52632, sigma = -0.86572,
    // cost 0.11 * -0.86572 = -0.095231. raw 1 - 0.095231 = 0.904769 -> 95.238.
    NabScorer.Result after = at(flags(40, 69), NabProfile.STANDARD);
    assertThat(after.raw()).isCloseTo(1 - 0.0952306, within(1e-6));
    assertThat(after.normalized()).isCloseTo(95.23847, within(1e-4));
    assertThat(after.falsePositives()).isEqualTo(1);
    // The reward-low-FP profile doubles that cost: 1 - 2 * 0.0952306.
    assertThat(at(flags(40, 69), NabProfile.REWARD_LOW_FP).raw())
        .isCloseTo(1 - 2 * 0.0952306, within(1e-6));
  }

  @Test
  void detectionsInTheProbationaryPeriodAreIgnored() {
    // Row 10 < 15: not scored. Only the missed window remains: raw -1 -> 0.
    NabScorer.Result result = at(flags(10), NabProfile.STANDARD);
    assertThat(result.raw()).isEqualTo(-1.0);
    assertThat(result.normalized()).isZero();
    assertThat(result.falsePositives()).isZero();
  }

  @Test
  void rewardLowFnDoublesTheCostOfAMiss() {
    // No detection: raw -A_FN = -2 = the null score, normalised 0; perfect is +1.
    NabScorer.Result result = at(new double[100], NabProfile.REWARD_LOW_FN);
    assertThat(result.raw()).isEqualTo(-2.0);
    assertThat(result.perfectScore()).isEqualTo(1.0);
    assertThat(result.normalized()).isZero();
  }

  @Test
  void theBestThresholdDependsOnTheProfile() {
    // Ten false positives at score 0.95 (rows 16..25, before the window) and a perfect detection
    // at 0.9 (row 40). Standard: threshold 0.9 gives 1 - 10 * 0.11 = -0.1, better than flagging
    // nothing (-1). Reward low FP: 1 - 10 * 0.22 = -1.2, worse than nothing (-1), so the best
    // threshold lies above every score.
    double[] scores = new double[100];
    for (int row = 16; row <= 25; row++) {
      scores[row] = 0.95;
    }
    scores[40] = 0.9;
    NabScorer.Result standard =
        NabScorer.scoreBest(List.of(SERIES), List.of(scores), NabProfile.STANDARD);
    assertThat(standard.threshold()).isEqualTo(0.9);
    assertThat(standard.raw()).isCloseTo(-0.1, within(1e-12));
    assertThat(standard.normalized()).isCloseTo(45.0, within(1e-9));
    NabScorer.Result lowFp =
        NabScorer.scoreBest(List.of(SERIES), List.of(scores), NabProfile.REWARD_LOW_FP);
    assertThat(lowFp.threshold()).isGreaterThan(0.95);
    assertThat(lowFp.raw()).isEqualTo(-1.0);
    assertThat(lowFp.normalized()).isZero();
  }

  @Test
  void theThresholdIsSharedAcrossTheCorpus() {
    // Two copies of the series. First: its window caught at score 0.9. Second: a false
    // positive at 0.8 (row 20, before the window) and its window caught at 0.7. One threshold
    // for both: 0.9 gives 1 - 1 = 0; 0.8 gives 1 - 0.11 - 1 = -0.11; 0.7 gives
    // 1 - 0.11 + 1 = 1.89, the best.
    double[] first = new double[100];
    first[40] = 0.9;
    double[] second = new double[100];
    second[20] = 0.8;
    second[40] = 0.7;
    NabScorer.Result result = NabScorer.scoreBest(
        List.of(SERIES, SERIES), List.of(first, second), NabProfile.STANDARD);
    assertThat(result.threshold()).isEqualTo(0.7);
    assertThat(result.raw()).isCloseTo(1.89, within(1e-12));
    assertThat(result.windows()).isEqualTo(2);
    // normalised: null -2, perfect 2: 100 * 3.89 / 4.
    assertThat(result.normalized()).isCloseTo(97.25, within(1e-9));
  }

  @Test
  void probationIsFifteenPercentCappedAt750Rows() {
    assertThat(NabScorer.probationLength(100)).isEqualTo(15);
    assertThat(NabScorer.probationLength(4032)).isEqualTo(604);
    assertThat(NabScorer.probationLength(10_000)).isEqualTo(750);
    assertThat(NabScorer.scaledSigmoid(0)).isZero();
    assertThat(NabScorer.scaledSigmoid(3)).isEqualTo(-1.0);
  }
}
