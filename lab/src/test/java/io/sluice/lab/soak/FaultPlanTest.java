package io.sluice.lab.soak;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.lab.soak.FaultPlan.Fault;
import io.sluice.lab.soak.FaultPlan.Kind;
import java.nio.file.Path;
import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class FaultPlanTest {

  static SoakSettings settings(int seconds, int kill, int mqtt, int cut) {
    return SoakSettings.of(Duration.ofSeconds(seconds), 20, Path.of("unused"))
        .withFaults(Duration.ofSeconds(kill), Duration.ofSeconds(mqtt), Duration.ofSeconds(cut));
  }

  @Test
  void theIssuesRunKillsFourTimesRestartsTwiceAndCutsTheMiddleMinute() {
    FaultPlan plan = FaultPlan.of(settings(180, 40, 70, 60));

    assertThat(plan.faults()).containsExactly(
        new Fault(Duration.ofSeconds(40), Kind.KILL_GATEWAY),
        new Fault(Duration.ofSeconds(60), Kind.CUT_CLOUD_LINK),
        new Fault(Duration.ofSeconds(70), Kind.RESTART_MQTT),
        new Fault(Duration.ofSeconds(80), Kind.KILL_GATEWAY),
        new Fault(Duration.ofSeconds(120), Kind.KILL_GATEWAY),
        new Fault(Duration.ofSeconds(120), Kind.RESTORE_CLOUD_LINK),
        new Fault(Duration.ofSeconds(140), Kind.RESTART_MQTT),
        new Fault(Duration.ofSeconds(160), Kind.KILL_GATEWAY));
  }

  @Test
  void zeroTurnsAFaultOff() {
    assertThat(FaultPlan.of(settings(60, 0, 0, 0)).faults()).isEmpty();
    assertThat(FaultPlan.of(settings(60, 0, 20, 0)).faults()).extracting(Fault::kind)
        .containsOnly(Kind.RESTART_MQTT).hasSize(2);
  }

  @Test
  void aPeriodEqualToTheRunNeverFires() {
    assertThat(FaultPlan.of(settings(40, 40, 40, 0)).faults()).isEmpty();
  }

  @Property(tries = 300)
  void everyFaultFallsInsideTheRunAndEveryCutIsRestored(
      @ForAll @IntRange(min = 1, max = 600) int seconds,
      @ForAll @IntRange(min = 0, max = 120) int kill,
      @ForAll @IntRange(min = 0, max = 120) int mqtt,
      @ForAll @IntRange(min = 0, max = 599) int cut) {
    if (cut >= seconds) {
      cut = 0;
    }
    FaultPlan plan = FaultPlan.of(settings(seconds, kill, mqtt, cut));
    Duration run = Duration.ofSeconds(seconds);

    assertThat(plan.faults()).allSatisfy(f -> {
      assertThat(f.at()).isPositive();
      assertThat(f.at()).isLessThan(run);
    });
    assertThat(plan.faults()).isSortedAccordingTo(java.util.Comparator.comparing(Fault::at));
    assertThat(plan.count(Kind.KILL_GATEWAY)).isEqualTo(kill == 0 ? 0 : (seconds - 1) / kill);
    assertThat(plan.count(Kind.RESTART_MQTT)).isEqualTo(mqtt == 0 ? 0 : (seconds - 1) / mqtt);
    assertThat(plan.count(Kind.CUT_CLOUD_LINK)).isEqualTo(plan.count(Kind.RESTORE_CLOUD_LINK))
        .isEqualTo(cut == 0 ? 0 : 1);
    if (cut > 0) {
      Duration start = plan.faults().stream().filter(f -> f.kind() == Kind.CUT_CLOUD_LINK)
          .findFirst().orElseThrow().at();
      Duration end = plan.faults().stream().filter(f -> f.kind() == Kind.RESTORE_CLOUD_LINK)
          .findFirst().orElseThrow().at();
      assertThat(end.minus(start)).isEqualTo(Duration.ofSeconds(cut));
    }
  }
}
