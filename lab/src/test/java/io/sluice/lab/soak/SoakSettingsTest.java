package io.sluice.lab.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SoakSettingsTest {

  @Test
  void reportsEveryMistakeAtOnce() {
    assertThatThrownBy(() -> new SoakSettings(Duration.ZERO, -1, 0, Duration.ofSeconds(-1),
        Duration.ZERO, Duration.ZERO, 1.5, 0, Duration.ofMinutes(1),
        SoakSettings.Broker.AUTO, Path.of("w"), null, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duration must be positive")
        .hasMessageContaining("rate must be positive, got -1.0")
        .hasMessageContaining("devices must be at least 1")
        .hasMessageContaining("kill-gateway-every must be zero or positive")
        .hasMessageContaining("bad-input-share must be between 0 and 1, got 1.5");
  }

  @Test
  void theCutMustEndBeforeTheRunDoes() {
    SoakSettings run = SoakSettings.of(Duration.ofSeconds(60), 10, Path.of("w"));
    assertThatThrownBy(() -> run.withFaults(Duration.ZERO, Duration.ZERO,
        Duration.ofSeconds(60)))
        .hasMessage("cut-cloud-link (60 s) must be shorter than the duration (60 s)");
    assertThat(run.withFaults(Duration.ZERO, Duration.ZERO, Duration.ofSeconds(59))
        .cutCloudLink()).hasSeconds(59);
  }

  @Test
  void sharesTogetherCannotPassOne() {
    SoakSettings run = SoakSettings.of(Duration.ofSeconds(60), 10, Path.of("w"));
    assertThatThrownBy(() -> run.withShares(0.7, 0.4))
        .hasMessageContaining("restricted-share must be between 0 and 1 - bad-input-share");
    assertThat(run.withShares(0.6, 0.4).restrictedShare()).isEqualTo(0.4);
  }
}
