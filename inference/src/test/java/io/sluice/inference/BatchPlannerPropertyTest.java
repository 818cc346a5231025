package io.sluice.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class BatchPlannerPropertyTest {

  private record Item(int id, int tokens) {}

  @Property
  void everyItemIsPlannedExactlyOnce(
      @ForAll @Size(max = 200) List<@IntRange(min = 1, max = 300) Integer> lengths,
      @ForAll @IntRange(min = 1, max = 64) int maxBatch,
      @ForAll @IntRange(min = 1, max = 5000) int budget) {
    List<Item> items = items(lengths);

    List<BatchPlanner.PlannedBatch<Item>> plan = planner(maxBatch, budget)
        .plan(items, Item::tokens);

    List<Item> planned = new ArrayList<>();
    plan.forEach(batch -> planned.addAll(batch.items()));
    assertThat(planned).containsExactlyInAnyOrderElementsOf(items);
  }

  @Property
  void noBatchExceedsALimitUnlessOneItemAloneDoes(
      @ForAll @Size(max = 200) List<@IntRange(min = 1, max = 300) Integer> lengths,
      @ForAll @IntRange(min = 1, max = 64) int maxBatch,
      @ForAll @IntRange(min = 1, max = 5000) int budget) {
    for (BatchPlanner.PlannedBatch<Item> batch
        : planner(maxBatch, budget).plan(items(lengths), Item::tokens)) {
      assertThat(batch.items()).isNotEmpty().hasSizeLessThanOrEqualTo(maxBatch);
      int longest = batch.items().stream().mapToInt(Item::tokens).max().orElseThrow();
      assertThat(batch.paddedLength()).isEqualTo(longest);
      if (batch.items().size() > 1) {
        assertThat(batch.paddedTokens()).isLessThanOrEqualTo(budget);
      }
    }
  }

  @Property
  void batchesGroupSimilarLengthsShortestFirst(
      @ForAll @Size(min = 1, max = 200) List<@IntRange(min = 1, max = 300) Integer> lengths,
      @ForAll @IntRange(min = 1, max = 64) int maxBatch) {
    List<BatchPlanner.PlannedBatch<Item>> plan = planner(maxBatch, 1_000_000)
        .plan(items(lengths), Item::tokens);

    int previousLongest = 0;
    for (BatchPlanner.PlannedBatch<Item> batch : plan) {
      int shortest = batch.items().stream().mapToInt(Item::tokens).min().orElseThrow();
      assertThat(shortest).isGreaterThanOrEqualTo(previousLongest);
      previousLongest = batch.paddedLength();
    }
    // Only size limits the batches here, so all but the last are full.
    for (int i = 0; i < plan.size() - 1; i++) {
      assertThat(plan.get(i).items()).hasSize(maxBatch);
    }
  }

  @Property
  void planningIsPureAndKeepsArrivalOrderAmongEqualLengths(
      @ForAll @Size(max = 100) List<@IntRange(min = 1, max = 5) Integer> lengths) {
    BatchPlanner planner = planner(8, 64);
    List<Item> items = items(lengths);

    List<BatchPlanner.PlannedBatch<Item>> first = planner.plan(items, Item::tokens);

    assertThat(planner.plan(items, Item::tokens)).isEqualTo(first);
    List<Item> flat = new ArrayList<>();
    first.forEach(b -> flat.addAll(b.items()));
    for (int i = 1; i < flat.size(); i++) {
      if (flat.get(i).tokens() == flat.get(i - 1).tokens()) {
        assertThat(flat.get(i).id()).isGreaterThan(flat.get(i - 1).id());
      }
    }
  }

  private static BatchPlanner planner(int maxBatch, int budget) {
    return new BatchPlanner(new BatchLimits(maxBatch, budget, Duration.ZERO));
  }

  private static List<Item> items(List<Integer> lengths) {
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < lengths.size(); i++) {
      items.add(new Item(i, lengths.get(i)));
    }
    return items;
  }
}
