package io.sluice.operators.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class DetectorCodecTest {

  /** Small windows and warm-up so every channel is active within a few hundred readings. */
  private static final DetectorSettings SMALL = new DetectorSettings(DetectionMethod.COMBINED,
      0.35, 32, Duration.ofHours(2), 24, 0.3, 100, 3, 20, Duration.ofMinutes(30));

  @Property(tries = 60)
  void restoredDetectorScoresExactlyAsUninterruptedOne(
      @ForAll @LongRange(min = 0, max = 1_000_000) long seed,
      @ForAll @IntRange(min = 0, max = 400) int cut,
      @ForAll @IntRange(min = 1, max = 3) int saves) {
    int length = 400;
    Random random = new Random(seed);
    long[] times = new long[length];
    double[] values = new double[length];
    long time = 1_600_000_000_000L;
    for (int i = 0; i < length; i++) {
      time += 60_000 + random.nextInt(600_000); // irregular sampling
      times[i] = time;
      values[i] = random.nextInt(20) == 0 ? random.nextGaussian() * 50 : random.nextGaussian();
    }
    double[] uninterrupted = run(AnomalyDetector.create(SMALL), times, values, 0, length);

    DetectorCodec codec = new DetectorCodec(SMALL);
    double[] resumed = new double[length];
    AnomalyDetector detector = AnomalyDetector.create(SMALL);
    int segment = Math.max(1, cut / saves);
    int from = 0;
    while (from < length) {
      int to = Math.min(length, from + segment);
      System.arraycopy(run(detector, times, values, from, to), 0, resumed, from, to - from);
      detector = codec.decode(codec.encode(detector)); // a restart between segments
      from = to;
    }
    assertThat(resumed).containsExactly(uninterrupted);
  }

  @Test
  void stateIsCompact() {
    AnomalyDetector detector = AnomalyDetector.create(DetectorSettings.defaults());
    double[] values = SyntheticSeries.dailySine(2000, 1);
    for (int i = 0; i < values.length; i++) {
      detector.score(SyntheticSeries.time(i), values[i]);
    }
    byte[] state = new DetectorCodec(DetectorSettings.defaults()).encode(detector);
    // 576 window values + 288 season slots + a few numbers per channel.
    assertThat(state.length).isLessThan(9 * 1024);
  }

  @Test
  void stateFromOtherSettingsIsRecognisedAndRefused() {
    AnomalyDetector detector = AnomalyDetector.create(SMALL);
    detector.score(1000, 1.0);
    byte[] state = new DetectorCodec(SMALL).encode(detector);
    DetectorCodec other = new DetectorCodec(SMALL.withMethod(DetectionMethod.CHANGE));
    assertThat(other.compatible(state)).isFalse();
    assertThat(new DetectorCodec(SMALL.withThreshold(0.9)).compatible(state)).isTrue();
    assertThatThrownBy(() -> other.decode(state))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("other settings");
  }

  @Test
  void truncatedStateNamesWhatIsMissing() {
    AnomalyDetector detector = AnomalyDetector.create(SMALL);
    detector.score(1000, 1.0);
    DetectorCodec codec = new DetectorCodec(SMALL);
    byte[] state = codec.encode(detector);
    byte[] truncated = Arrays.copyOf(state, state.length - 5);
    assertThatThrownBy(() -> codec.decode(truncated))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("while reading");
    assertThatThrownBy(() -> codec.decode(new byte[] {1, 2, 3, 4, 5}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Not detector state");
  }

  private static double[] run(AnomalyDetector detector, long[] times, double[] values, int from,
      int to) {
    double[] scores = new double[to - from];
    for (int i = from; i < to; i++) {
      scores[i - from] = detector.score(times[i], values[i]).score();
    }
    return scores;
  }
}
