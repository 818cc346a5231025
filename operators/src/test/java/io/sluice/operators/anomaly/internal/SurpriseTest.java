package io.sluice.operators.anomaly.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SurpriseTest {

  @Test
  void upperTailMatchesKnownNormalProbabilities() {
    // Standard normal table values: Q(0) = 0.5, Q(1.96) = 0.025, Q(3) = 0.0013499.
    assertThat(Surprise.upperTail(0)).isCloseTo(0.5, within(1e-7));
    assertThat(Surprise.upperTail(1.96)).isCloseTo(0.0249979, within(1e-6));
    assertThat(Surprise.upperTail(3)).isCloseTo(0.0013499, within(1e-6));
    assertThat(Surprise.upperTail(-3)).isCloseTo(1 - 0.0013499, within(1e-6));
    // Far tail: Q(10) = 7.62e-24; the asymptotic branch stays within 1%.
    assertThat(Surprise.upperTail(10) / 7.6198530e-24).isCloseTo(1.0, within(0.01));
  }

  @Test
  void aQuietStreamScoresAJumpHighAndANoisyOneDoesNot() {
    Surprise quiet = new Surprise(500, 1);
    Surprise noisy = new Surprise(500, 1);
    for (int i = 0; i < 400; i++) {
      quiet.update(1.0 + (i % 2) * 0.01, 100);
      noisy.update(i % 2 == 0 ? 0.0 : 4.0, 100);
    }
    assertThat(quiet.update(4.0, 100)).isEqualTo(1.0);
    assertThat(noisy.update(4.0, 100)).isLessThan(0.1);
  }
}
