package io.sluice.lab.eval.learning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sluice.lab.eval.learning.ForwardTimeline.Observation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardTimelineTest {

  /**
   * Eight records a second; every fourth is of a withheld intent. The first head (records 0-7)
   * forwards all withheld records and one known record in four; later heads forward none.
   */
  private static List<Observation> stream() {
    List<Observation> out = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      boolean withheld = i % 4 == 0;
      long head = i < 8 ? 1 : 2;
      boolean forwarded = head == 1 && (withheld || i % 4 == 1);
      // Known records kept local are right except record 2; learned ones are right.
      String label = i == 2 ? "wrong" : "intent-" + (i % 4);
      out.add(new Observation(i, i * 125L, "intent-" + (i % 4), withheld, true, forwarded,
          label, head));
    }
    return out;
  }

  @Test
  void windowsCountForwardedRecordsInPublishOrder() {
    List<ForwardTimeline.Window> windows = new ForwardTimeline(stream(), 8).windows();

    assertThat(windows).hasSize(2);
    ForwardTimeline.Window first = windows.get(0);
    assertThat(first.firstRecord()).isZero();
    assertThat(first.tally().forwarded()).isEqualTo(4);
    assertThat(first.tally().forwardRate()).isEqualTo(0.5);
    assertThat(first.tally().withheldForwardRate()).isEqualTo(1.0);
    assertThat(first.tally().knownForwardRate()).isCloseTo(2 / 6.0, within(1e-9));
    assertThat(first.tally().localAccuracy()).isCloseTo(3 / 4.0, within(1e-9));
    assertThat(first.endSeconds()).isEqualTo(0.875);
    assertThat(first.headVersion()).isEqualTo(1);
    ForwardTimeline.Window second = windows.get(1);
    assertThat(second.firstRecord()).isEqualTo(8);
    assertThat(second.tally().forwardRate()).isZero();
    assertThat(second.tally().localAccuracy()).isEqualTo(1.0);
    assertThat(second.headVersion()).isEqualTo(2);
  }

  @Test
  void figuresCompareTheFirstHeadWithLaterOnesAndTheFirstQuarterWithTheLast() {
    ForwardTimeline.Figures f = new ForwardTimeline(stream(), 5).figures();

    assertThat(f.records()).isEqualTo(16);
    assertThat(f.missing()).isZero();
    assertThat(f.firstHead().records()).isEqualTo(8);
    assertThat(f.firstHead().forwardRate()).isEqualTo(0.5);
    assertThat(f.laterHeads().forwardRate()).isZero();
    assertThat(f.early().records()).isEqualTo(4);
    assertThat(f.early().withheldForwardRate()).isEqualTo(1.0);
    assertThat(f.late().withheldForwardRate()).isZero();
    assertThat(f.all().keptLocal()).isEqualTo(12);
    assertThat(f.all().localAccuracy()).isCloseTo(11 / 12.0, within(1e-9));
    // Windows of five: the last holds one record.
    assertThat(f.lastWindow().tally().records()).isEqualTo(1);
  }

  @Test
  void recordsNeverRoutedAreMissingNotKeptOrForwarded() {
    List<Observation> observations = new ArrayList<>(stream());
    observations.set(3, new Observation(3, 375, "intent-3", false, false, false, null, 0));

    ForwardTimeline.Figures f = new ForwardTimeline(observations, 8).figures();

    assertThat(f.missing()).isEqualTo(1);
    assertThat(f.all().records()).isEqualTo(15);
    assertThat(f.firstHead().records()).isEqualTo(7);
    assertThat(f.all().keptLocal()).isEqualTo(11);
  }

  @Test
  void aShareOfNothingIsNotANumber() {
    List<Observation> known = List.of(
        new Observation(0, 0, "a", false, true, true, "a", 1));

    ForwardTimeline.Tally tally = new ForwardTimeline(known, 1).figures().all();

    assertThat(tally.withheldForwardRate()).isNaN();
    assertThat(tally.localAccuracy()).isNaN();
    assertThat(LearningLoopOutput.round(tally.localAccuracy())).isNull();
  }

  @Test
  void refusesAnEmptyStreamAndAnEmptyWindow() {
    assertThatThrownBy(() -> new ForwardTimeline(List.of(), 10))
        .hasMessageContaining("No records");
    assertThatThrownBy(() -> new ForwardTimeline(stream(), 0))
        .hasMessageContaining("at least one record");
  }
}
