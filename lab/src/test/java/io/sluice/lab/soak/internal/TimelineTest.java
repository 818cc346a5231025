package io.sluice.lab.soak.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sluice.lab.soak.FaultPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimelineTest {

  @Test
  void ratesAreTrailingAveragesOverTheWindow() {
    Timeline t = new Timeline();
    // 10 events/s published for 10 s; nothing delivered for 5 s, then 20/s.
    for (int s = 0; s <= 10; s++) {
      t.sample(new Timeline.Sample(s, 10L * s, s <= 5 ? 0 : 20L * (s - 5), 0, 0));
    }
    double[][] published = t.rate(Timeline.Series.PUBLISHED, 5);
    double[][] delivered = t.rate(Timeline.Series.DELIVERED, 2);

    assertThat(published[0]).hasSize(10).startsWith(1.0).endsWith(10.0);
    assertThat(published[1]).containsOnly(10.0);
    assertThat(delivered[1][4]).isZero();
    assertThat(delivered[1][5]).isCloseTo(10, within(1e-9));
    assertThat(delivered[1][9]).isCloseTo(20, within(1e-9));
  }

  @Test
  void aChartIsWrittenWithTheFaultsMarked(@TempDir Path dir) throws Exception {
    Timeline t = new Timeline();
    for (int s = 0; s <= 20; s++) {
      t.sample(new Timeline.Sample(s, 5L * s, 4L * s, s, 0));
    }
    t.mark(new Timeline.Mark(5, FaultPlan.Kind.KILL_GATEWAY));
    t.mark(new Timeline.Mark(8, FaultPlan.Kind.CUT_CLOUD_LINK));
    t.mark(new Timeline.Mark(12, FaultPlan.Kind.RESTORE_CLOUD_LINK));
    t.mark(new Timeline.Mark(15, FaultPlan.Kind.KILL_GATEWAY));
    Path png = dir.resolve("charts/soak.png");

    SoakChart.write(t, "test", png);

    assertThat(Files.size(png)).isGreaterThan(1_000);
    assertThat(javax.imageio.ImageIO.read(png.toFile()).getWidth()).isEqualTo(1100);
  }
}
