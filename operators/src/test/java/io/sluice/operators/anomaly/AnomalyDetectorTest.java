package io.sluice.operators.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AnomalyDetectorTest {

  private static final int LENGTH = 288 * 6;

  @Test
  void flagsASpikeAndNotTheNoiseAroundIt() {
    double[] values = SyntheticSeries.dailySine(LENGTH, 7);
    int spike = 288 * 5;
    values[spike] += 40; // four times the daily amplitude above the curve
    AnomalyDetector detector = AnomalyDetector.create(DetectorSettings.defaults());
    int flags = 0;
    AnomalyScore atSpike = null;
    for (int i = 0; i < LENGTH; i++) {
      AnomalyScore score = detector.score(SyntheticSeries.time(i), values[i]);
      assertThat(score.score()).isBetween(0.0, 1.0);
      if (i == spike) {
        atSpike = score;
      } else if (score.anomaly() && i > 288) {
        flags++;
      }
    }
    assertThat(atSpike.anomaly()).isTrue();
    assertThat(atSpike.score()).isGreaterThan(0.8);
    // Five days of plain noise after warm-up: at most a couple of stray flags.
    assertThat(flags).isLessThanOrEqualTo(2);
  }

  @Test
  void seasonalChannelSeesAMissingDailyPeakThatLevelAloneCannot() {
    double[] values = SyntheticSeries.dailySine(LENGTH, 11);
    int day = 288 * 4;
    for (int i = day + 40; i < day + 110; i++) {
      values[i] = 50 + (i % 2 == 0 ? 0.5 : -0.5); // the peak of day 5 flattened to the mean
    }
    double seasonal = maxScore(DetectorSettings.defaults().withMethod(DetectionMethod.SEASONAL),
        values, day, day + 110);
    double level = maxScore(DetectorSettings.defaults().withMethod(DetectionMethod.ROBUST_LEVEL),
        values, day, day + 110);
    double seasonalOnNormalDay = maxScore(
        DetectorSettings.defaults().withMethod(DetectionMethod.SEASONAL), values, day - 288, day - 178);
    assertThat(seasonal).as("seasonal, flattened peak").isGreaterThan(2 * seasonalOnNormalDay);
    assertThat(seasonal).as("seasonal against level").isGreaterThan(2 * level);
  }

  @Test
  void cooldownGivesOneFlagPerEvent() {
    double[] values = SyntheticSeries.dailySine(LENGTH, 3);
    int start = 288 * 5;
    for (int i = start; i < start + 20; i++) {
      values[i] += 60; // a sustained excursion of 20 readings (100 minutes)
    }
    DetectorSettings settings = DetectorSettings.defaults();
    assertThat(settings.cooldown()).isGreaterThan(Duration.ofMinutes(100));
    AnomalyDetector detector = AnomalyDetector.create(settings);
    int flagsInEvent = 0;
    for (int i = 0; i < start + 20; i++) {
      AnomalyScore score = detector.score(SyntheticSeries.time(i), values[i]);
      if (i >= start && score.anomaly()) {
        flagsInEvent++;
        assertThat(i).as("the first reading of the event is the one flagged").isEqualTo(start);
      }
      if (i > start && i < start + 20) {
        assertThat(score.score()).isLessThan(settings.threshold());
      }
    }
    assertThat(flagsInEvent).isEqualTo(1);
  }

  @Test
  void nonFiniteReadingsAreAnomaliesAndAreNotLearned() {
    AnomalyDetector detector = AnomalyDetector.create(DetectorSettings.defaults());
    double[] values = SyntheticSeries.dailySine(400, 5);
    for (int i = 0; i < 400; i++) {
      detector.score(SyntheticSeries.time(i), values[i]);
    }
    AnomalyScore nan = detector.score(SyntheticSeries.time(400), Double.NaN);
    assertThat(nan.score()).isEqualTo(1.0);
    assertThat(nan.anomaly()).isTrue();
    assertThat(detector.readings()).isEqualTo(400);
  }

  @Test
  void externalScorerIsOneMoreChannel() {
    // A "model" that knows stuck sensors: a value exactly equal to the previous one is
    // surprising. Noise makes exact repeats impossible, and the built-in channels see a repeat
    // as perfectly ordinary (no step, no level change).
    ExternalScorer stuck = (time, value, recent) -> value == recent[recent.length - 1] ? 100 : 0.1;
    DetectorSettings settings = DetectorSettings.defaults();
    AnomalyDetector with = AnomalyDetector.create(settings, stuck);
    AnomalyDetector without = AnomalyDetector.create(settings);
    double[] values = SyntheticSeries.dailySine(700, 9);
    values[699] = values[698];
    AnomalyScore withModel = null;
    AnomalyScore builtIn = null;
    for (int i = 0; i < 700; i++) {
      withModel = with.score(SyntheticSeries.time(i), values[i]);
      builtIn = without.score(SyntheticSeries.time(i), values[i]);
    }
    assertThat(withModel.anomaly()).isTrue();
    assertThat(builtIn.anomaly()).isFalse();
  }

  @Test
  void externalScorerReturningGarbageFailsWithItsValue() {
    AnomalyDetector detector = AnomalyDetector.create(
        DetectorSettings.defaults(), (time, value, recent) -> Double.NaN);
    detector.score(SyntheticSeries.time(0), 1.0);
    assertThatThrownBy(() -> detector.score(SyntheticSeries.time(1), 2.0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("external scorer returned NaN");
  }

  private static double maxScore(DetectorSettings settings, double[] values, int from, int to) {
    AnomalyDetector detector = AnomalyDetector.create(settings);
    double max = 0;
    for (int i = 0; i < to; i++) {
      double score = detector.score(SyntheticSeries.time(i), values[i]).score();
      if (i >= from) {
        max = Math.max(max, score);
      }
    }
    return max;
  }
}
