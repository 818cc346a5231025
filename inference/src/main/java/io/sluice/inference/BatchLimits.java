package io.sluice.inference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The knobs of batching, shared by {@link BatchPlanner}, {@link DynamicBatcher} and the stream
 * operator that buffers records for a batch.
 *
 * @param maxBatchSize at most this many texts in one model call
 * @param tokenBudget at most this many tokens in one model call, counting padding: the batch size
 *     times its padded length (a single text longer than the budget still runs, alone)
 * @param maxDelay how long a batcher that finds nothing queued waits for companions of the first
 *     request before it runs what it has ({@link Duration#ZERO}: never wait)
 */
public record BatchLimits(int maxBatchSize, int tokenBudget, Duration maxDelay) {

  /** 32 texts, 4,096 tokens, 5 ms. */
  public static final BatchLimits DEFAULT = new BatchLimits(32, 4096, Duration.ofMillis(5));

  public BatchLimits {
    List<String> problems = new ArrayList<>();
    if (maxBatchSize < 1) {
      problems.add("maxBatchSize must be at least 1, got " + maxBatchSize);
    }
    if (tokenBudget < 1) {
      problems.add("tokenBudget must be at least 1, got " + tokenBudget);
    }
    if (maxDelay == null || maxDelay.isNegative()) {
      problems.add("maxDelay must be zero or positive, got " + maxDelay);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid batch limits: " + String.join("; ", problems));
    }
  }

  /** Whether a batch of {@code size} texts padded to {@code paddedLength} is within limits. */
  public boolean fits(int size, int paddedLength) {
    return size <= maxBatchSize && (size <= 1 || (long) size * paddedLength <= tokenBudget);
  }

  public BatchLimits withMaxBatchSize(int newMaxBatchSize) {
    return new BatchLimits(newMaxBatchSize, tokenBudget, maxDelay);
  }

  public BatchLimits withTokenBudget(int newTokenBudget) {
    return new BatchLimits(maxBatchSize, newTokenBudget, maxDelay);
  }

  public BatchLimits withMaxDelay(Duration newMaxDelay) {
    return new BatchLimits(maxBatchSize, tokenBudget, newMaxDelay);
  }
}
