package io.sluice.connectors.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class OrderedAcksTest {

  /** Whatever order Kafka confirms in, acknowledgements leave in arrival order, each once. */
  @Property(tries = 300)
  void releasesInArrivalOrderWhateverTheCompletionOrder(
      @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 0, max = 1_000_000) Integer> keys) {
    int n = keys.size();
    OrderedAcks<Integer> acks = new OrderedAcks<>();
    List<OrderedAcks.Slot<Integer>> slots = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      slots.add(acks.arrive(i));
    }
    // Complete in the order given by sorting indexes on the random keys.
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    order.sort((a, b) -> Integer.compare(keys.get(a), keys.get(b)));
    List<Integer> released = new ArrayList<>();
    boolean[] done = new boolean[n];
    for (int i : order) {
      done[i] = true;
      List<Integer> ready = acks.complete(slots.get(i));
      for (int r : ready) {
        // released only once everything before it is done
        for (int j = 0; j <= r; j++) {
          assertThat(done[j]).as("message %d released before %d was confirmed", r, j).isTrue();
        }
      }
      released.addAll(ready);
    }
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      expected.add(i);
    }
    assertThat(released).isEqualTo(expected);
    assertThat(acks.pending()).isZero();
    assertThat(acks.oldest()).isNull();
  }

  @Test
  void clearForgetsTheLineAndLateCompletionsDoNotReleaseNewArrivals() {
    OrderedAcks<String> acks = new OrderedAcks<>();
    OrderedAcks.Slot<String> old = acks.arrive("old");
    acks.clear();
    OrderedAcks.Slot<String> fresh = acks.arrive("fresh");
    OrderedAcks.Slot<String> later = acks.arrive("later");
    assertThat(acks.complete(old)).isEmpty();
    assertThat(acks.complete(later)).isEmpty();
    assertThat(acks.oldest()).isEqualTo("fresh");
    assertThat(acks.complete(fresh)).containsExactly("fresh", "later");
  }
}
