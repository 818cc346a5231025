package io.sluice.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GuaranteedThresholdsTest {

  private static RoutingThresholds.Outcome outcome(double confidence, double novelty,
      boolean correct, boolean inScope) {
    return new RoutingThresholds.Outcome(
        new Prediction("x", confidence, novelty, false, 5, "m", "1", 1), correct, inScope);
  }

  /**
   * A classifier that is right more often the more confident it is (wrong with probability
   * 0.6 x (1 - confidence)), and whose out-of-scope records have high novelty most of the time.
   */
  private static List<RoutingThresholds.Outcome> draw(SplittableRandom random, int inScope,
      int outOfScope) {
    List<RoutingThresholds.Outcome> out = new ArrayList<>();
    for (int i = 0; i < inScope; i++) {
      double confidence = 1 - Math.pow(random.nextDouble(), 4) * 0.5;
      boolean correct = random.nextDouble() < 1 - (1 - confidence) * 0.6;
      out.add(outcome(confidence, random.nextDouble() * 0.5, correct, true));
    }
    for (int i = 0; i < outOfScope; i++) {
      double novelty = random.nextDouble() < 0.9 ? 0.5 + random.nextDouble() * 0.5
          : random.nextDouble() * 0.5;
      out.add(outcome(0.4 + random.nextDouble() * 0.6, novelty, false, false));
    }
    return out;
  }

  @Test
  void binomialTailMatchesExactValues() {
    // P(X <= 2) for Bin(10, 0.3) = 0.3827827864; P(X <= 0) for Bin(5, 0.5) = 1/32
    assertThat(GuaranteedThresholds.binomialCdf(2, 10, 0.3)).isCloseTo(0.3827827864,
        within(1e-9));
    assertThat(GuaranteedThresholds.binomialCdf(0, 5, 0.5)).isCloseTo(1 / 32.0, within(1e-12));
    assertThat(GuaranteedThresholds.binomialCdf(5, 5, 0.5)).isEqualTo(1.0);
    // large n must not underflow: Bin(50000, 0.02) has mean 1000, sd about 31.3
    assertThat(GuaranteedThresholds.binomialCdf(1000, 50_000, 0.02)).isBetween(0.5, 0.52);
    assertThat(GuaranteedThresholds.binomialCdf(900, 50_000, 0.02)).isBetween(0.0002, 0.002);
  }

  @Test
  void keepsNothingWhenNoThresholdCanBeShownAccurateEnough() {
    List<RoutingThresholds.Outcome> coinFlips = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      coinFlips.add(outcome(0.5 + i / 1000.0, 0.1, i % 2 == 0, true));
    }
    GuaranteedThresholds g = GuaranteedThresholds.choose(coinFlips, coinFlips, 0.98, 1.0, 0.05);
    assertThat(g.kept()).isZero();
    assertThat(g.thresholds().minConfidence()).isInfinite();
  }

  @Test
  void theChosenThresholdShowsTheTargetWithTheStatedConfidence() {
    List<RoutingThresholds.Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      outcomes.add(outcome(0.999 - i / 2000.0, 0.1, i < 900 || i % 3 == 0, true));
    }
    GuaranteedThresholds g = GuaranteedThresholds.choose(outcomes, outcomes, 0.98, 1.0, 0.1);
    // all 900 at the top are right; below them every third is, so the tail cannot be kept
    assertThat(g.kept()).isBetween(900, 960);
    assertThat(g.pAccuracy()).isLessThanOrEqualTo(0.05);
    assertThat((double) (g.kept() - g.errors()) / g.kept()).isGreaterThan(0.98);
  }

  /**
   * The promise itself: over many independent calibration draws, the realised kept accuracy on
   * a large fresh sample falls below the target in at most delta of them (plus a tolerance for
   * the finite number of draws), and so does the share of out-of-scope records kept. The
   * empirical rule, chosen on the same draws, breaks the promise far more often.
   */
  @Test
  void overManyCalibrationDrawsThePromiseBreaksAtMostDeltaOfTheTime() {
    double target = 0.98;
    double maxOos = 0.05;
    double delta = 0.1;
    int draws = 200;
    SplittableRandom random = new SplittableRandom(7);
    List<RoutingThresholds.Outcome> fresh = draw(random, 40_000, 8_000);
    int broken = 0;
    int empiricalBroken = 0;
    double coverage = 0;
    for (int d = 0; d < draws; d++) {
      List<RoutingThresholds.Outcome> noveltyPart = draw(random, 600, 100);
      List<RoutingThresholds.Outcome> testPart = draw(random, 600, 100);
      GuaranteedThresholds g = GuaranteedThresholds.choose(noveltyPart, testPart, target, maxOos,
          delta);
      double[] realised = realise(g.thresholds(), fresh);
      if (realised[0] < target || realised[1] > maxOos) {
        broken++;
      }
      coverage += realised[2];
      RoutingThresholds empirical = RoutingThresholds.choose(testPart, target, maxOos);
      double[] e = realise(empirical, fresh);
      if (e[0] < target || e[1] > maxOos) {
        empiricalBroken++;
      }
    }
    double tolerance = 3 * Math.sqrt(delta * (1 - delta) / draws);
    assertThat((double) broken / draws).as("promise broken in %d of %d draws", broken, draws)
        .isLessThanOrEqualTo(delta + tolerance);
    assertThat(empiricalBroken).as("the empirical rule breaks it more often")
        .isGreaterThan(broken);
    assertThat(coverage / draws).as("the guaranteed rule still keeps records").isGreaterThan(0.2);
  }

  /** Kept accuracy, share of out-of-scope kept, share of in-scope kept. */
  private static double[] realise(RoutingThresholds t, List<RoutingThresholds.Outcome> fresh) {
    int kept = 0;
    int right = 0;
    int inScope = 0;
    int oos = 0;
    int oosKept = 0;
    for (RoutingThresholds.Outcome o : fresh) {
      boolean local = t.keepLocal(o.prediction());
      if (o.inScope()) {
        inScope++;
        kept += local ? 1 : 0;
        right += local && o.correct() ? 1 : 0;
      } else {
        oos++;
        oosKept += local ? 1 : 0;
      }
    }
    return new double[] {kept == 0 ? 1 : (double) right / kept, (double) oosKept / oos,
        (double) kept / inScope};
  }
}
