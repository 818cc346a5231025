package io.sluice.inference;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * Splits pending items into model calls. Pure: no clock, no state, the same input gives the same
 * plan.
 *
 * <p>Items are ordered by token length (stable, so equal lengths keep their arrival order) and cut
 * into runs greedily: a run grows while it stays within {@link BatchLimits#maxBatchSize()} and
 * its size times its longest item stays within {@link BatchLimits#tokenBudget()}. Because
 * neighbours in that order have similar lengths, each batch pads little. An item longer than the
 * budget forms a batch of its own. Batches come out shortest first.
 */
public final class BatchPlanner {

  private final BatchLimits limits;

  public BatchPlanner(BatchLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /** One planned model call: its items, shortest first, and the length they pad to. */
  public record PlannedBatch<T>(List<T> items, int paddedLength) {

    /** Tokens the call processes, padding included. */
    public long paddedTokens() {
      return (long) items.size() * paddedLength;
    }
  }

  public BatchLimits limits() {
    return limits;
  }

  /**
   * Plans the model calls for {@code items}; every item is in exactly one batch.
   *
   * @param tokenLength the number of tokens of an item (after truncation)
   */
  public <T> List<PlannedBatch<T>> plan(List<T> items, ToIntFunction<? super T> tokenLength) {
    int n = items.size();
    int[] lengths = new int[n];
    List<Integer> order = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      lengths[i] = tokenLength.applyAsInt(items.get(i));
      if (lengths[i] < 0) {
        throw new IllegalArgumentException("Item " + i + " has a negative token length "
            + lengths[i]);
      }
      order.add(i);
    }
    order.sort(Comparator.comparingInt(i -> lengths[i]));
    List<PlannedBatch<T>> batches = new ArrayList<>();
    List<T> current = new ArrayList<>();
    int currentLength = 0;
    for (int index : order) {
      int length = lengths[index];
      if (!current.isEmpty() && !limits.fits(current.size() + 1, Math.max(currentLength,
          length))) {
        batches.add(new PlannedBatch<>(List.copyOf(current), currentLength));
        current.clear();
        currentLength = 0;
      }
      current.add(items.get(index));
      currentLength = Math.max(currentLength, length);
    }
    if (!current.isEmpty()) {
      batches.add(new PlannedBatch<>(List.copyOf(current), currentLength));
    }
    return batches;
  }
}
