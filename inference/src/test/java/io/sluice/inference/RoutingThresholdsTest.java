package io.sluice.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoutingThresholdsTest {

  private static RoutingThresholds.Outcome outcome(double confidence, double novelty,
      boolean correct, boolean inScope) {
    return new RoutingThresholds.Outcome(
        new Prediction("x", confidence, novelty, false, 5, "m", "1", 1), correct, inScope);
  }

  @Test
  void keepsTheMostLocalThatStillMeetsTheAccuracyTarget() {
    List<RoutingThresholds.Outcome> outcomes = new ArrayList<>();
    // 90 right at high confidence, then 10 wrong at low confidence.
    for (int i = 0; i < 90; i++) {
      outcomes.add(outcome(0.9 + i / 1000.0, 0.1, true, true));
    }
    for (int i = 0; i < 10; i++) {
      outcomes.add(outcome(0.5 + i / 100.0, 0.1, false, true));
    }

    RoutingThresholds thresholds = RoutingThresholds.choose(outcomes, 0.98, 1.0);

    long kept = outcomes.stream().filter(o -> thresholds.keepLocal(o.prediction())).count();
    long keptRight = outcomes.stream()
        .filter(o -> thresholds.keepLocal(o.prediction()) && o.correct()).count();
    assertThat(kept).isEqualTo(91);
    assertThat((double) keptRight / kept).isGreaterThanOrEqualTo(0.98);
  }

  @Test
  void usesTheNoveltyThresholdToKeepOutOfScopeTextsAway() {
    List<RoutingThresholds.Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      outcomes.add(outcome(0.95, i / 200.0, true, true));
    }
    // Confident but novel unknown texts: only novelty can tell them apart.
    for (int i = 0; i < 20; i++) {
      outcomes.add(outcome(0.99, 0.9, false, false));
    }

    RoutingThresholds thresholds = RoutingThresholds.choose(outcomes, 0.98, 0.05);

    assertThat(thresholds.maxNovelty()).isLessThan(0.9);
    assertThat(outcomes.stream().filter(o -> !o.inScope())
        .noneMatch(o -> thresholds.keepLocal(o.prediction()))).isTrue();
    assertThat(outcomes.stream().filter(o -> o.inScope())
        .allMatch(o -> thresholds.keepLocal(o.prediction()))).isTrue();
  }

  @Test
  void keepsNothingLocalWhenNothingIsAccurateEnough() {
    List<RoutingThresholds.Outcome> outcomes = List.of(outcome(0.9, 0.1, false, true),
        outcome(0.8, 0.1, false, true));

    RoutingThresholds thresholds = RoutingThresholds.choose(outcomes, 0.98, 1.0);

    assertThat(outcomes).noneMatch(o -> thresholds.keepLocal(o.prediction()));
  }
}
