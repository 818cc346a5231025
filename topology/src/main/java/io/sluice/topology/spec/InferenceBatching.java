package io.sluice.topology.spec;

import java.time.Duration;

/**
 * How a pipeline's model steps batch their calls.
 *
 * @param maxBatch most records in one batch
 * @param maxTokens token budget of one batch (batch size times padded length)
 * @param maxWait longest a record waits for batch-mates; a flush happens sooner when the batch
 *     fills up
 */
public record InferenceBatching(int maxBatch, int maxTokens, Duration maxWait) {

  public static InferenceBatching defaults() {
    return new InferenceBatching(32, 4096, Duration.ofMillis(20));
  }
}
