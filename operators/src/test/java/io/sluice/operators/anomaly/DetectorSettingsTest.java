package io.sluice.operators.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DetectorSettingsTest {

  @Test
  void reportsEveryProblemAtOnce() {
    assertThatThrownBy(() -> new DetectorSettings(null, 1.5, 2, Duration.ZERO, 0, 0, 1, 0, 0,
        Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("method must be one of")
        .hasMessageContaining("threshold must be in (0, 1], got 1.5")
        .hasMessageContaining("windowReadings must be in [8, 100000], got 2")
        .hasMessageContaining("seasonPeriod must be at least 1s")
        .hasMessageContaining("seasonBuckets")
        .hasMessageContaining("seasonSmoothing")
        .hasMessageContaining("longTermReadings")
        .hasMessageContaining("shortTermReadings")
        .hasMessageContaining("warmupReadings")
        .hasMessageContaining("cooldown must be a duration >= 0");
  }

  @Test
  void commonKnobsOnlyChangeMethodAndThreshold() {
    AnomalyConfig config = AnomalyConfig.of(Duration.ofMinutes(10), DetectionMethod.SEASONAL, 0.6);
    assertThat(config.window()).isEqualTo(Duration.ofMinutes(10));
    assertThat(config.detector().method()).isEqualTo(DetectionMethod.SEASONAL);
    assertThat(config.detector().threshold()).isEqualTo(0.6);
    assertThat(config.detector().withThreshold(DetectorSettings.defaults().threshold())
        .withMethod(DetectionMethod.COMBINED)).isEqualTo(DetectorSettings.defaults());
  }

  @Test
  void anomalyConfigValidatesWindowAndStoreName() {
    assertThatThrownBy(() -> new AnomalyConfig(Duration.ofMillis(10), null, "bad name"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("window must be at least 1s")
        .hasMessageContaining("detector settings must be given")
        .hasMessageContaining("storeName must be 1-200 characters");
  }
}
