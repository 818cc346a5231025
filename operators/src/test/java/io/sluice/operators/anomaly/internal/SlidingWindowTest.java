package io.sluice.operators.anomaly.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class SlidingWindowTest {

  @Property(tries = 100)
  void quantilesAndCountsMatchASortedCopyOfTheLastValues(
      @ForAll @Size(min = 1, max = 200) List<@IntRange(min = -50, max = 50) Integer> values,
      @ForAll @IntRange(min = 4, max = 40) int capacity) {
    SlidingWindow window = new SlidingWindow(capacity);
    Deque<Double> reference = new ArrayDeque<>();
    for (int value : values) {
      window.add(value);
      reference.addLast((double) value);
      if (reference.size() > capacity) {
        reference.removeFirst();
      }
    }
    double[] sorted = reference.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    assertThat(window.size()).isEqualTo(sorted.length);
    assertThat(window.quantile(0)).isEqualTo(sorted[0]);
    assertThat(window.quantile(1)).isEqualTo(sorted[sorted.length - 1]);
    assertThat(window.newest()).isEqualTo((double) values.get(values.size() - 1));
    assertThat(window.toArray()).containsExactly(
        reference.stream().mapToDouble(Double::doubleValue).toArray());
    long within = Arrays.stream(sorted).filter(v -> Math.abs(v - 3) <= 2).count();
    assertThat(window.countWithin(3, 2)).isEqualTo((int) within);
  }

  @Property(tries = 50)
  void roundTripsThroughState(
      @ForAll @Size(min = 0, max = 100) List<@IntRange(min = -5, max = 5) Integer> values) {
    SlidingWindow window = new SlidingWindow(16);
    values.forEach(window::add);
    StateOutput out = new StateOutput();
    window.write(out);
    SlidingWindow copy = new SlidingWindow(16);
    copy.read(new StateInput(out.toByteArray()));
    assertThat(copy.toArray()).containsExactly(window.toArray());
    if (!values.isEmpty()) {
      assertThat(copy.quantile(0.5)).isEqualTo(window.quantile(0.5));
    }
  }
}
