package io.sluice.operators.infer;

import java.time.Duration;

/**
 * Settings of one infer operator.
 *
 * @param storeName name of its logged buffer store
 * @param maxBatch flush when this many records wait
 * @param maxTokens flush when the waiting records' tokens reach this budget
 * @param maxWait flush when the oldest record has waited this long (wall clock)
 * @param classify whether to write label and confidence
 * @param novelty whether to write novelty and the novel flag
 */
public record InferSettings(String storeName, int maxBatch, int maxTokens, Duration maxWait,
    boolean classify, boolean novelty) {

  public InferSettings {
    if (maxBatch < 1 || maxTokens < 1 || maxWait.isNegative()) {
      throw new IllegalArgumentException("maxBatch and maxTokens must be positive and maxWait"
          + " not negative");
    }
  }
}
