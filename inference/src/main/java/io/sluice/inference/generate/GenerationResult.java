package io.sluice.inference.generate;

import java.util.Optional;

/**
 * What one request produced.
 *
 * @param id the request's id
 * @param tokenIds the new tokens (an end-of-sequence or stop token that ended generation is
 *     included, as Hugging Face's {@code generate} does)
 * @param text the decoded new text without special tokens, cut before a stop string
 * @param finishReason why generation ended
 * @param meanLogProb mean natural log-probability of the chosen tokens under the distribution they
 *     were chosen from (after constraint masking, at temperature 1); 0 for no tokens
 * @param promptTokens prompt length in tokens, prefix included
 * @param cachedPrefixTokens how many of those came from the prefix cache instead of a model call
 * @param speculation draft statistics when a draft model proposed tokens
 */
public record GenerationResult(
    String id,
    int[] tokenIds,
    String text,
    FinishReason finishReason,
    double meanLogProb,
    int promptTokens,
    int cachedPrefixTokens,
    Optional<SpeculationStats> speculation) {

  public GenerationResult {
    tokenIds = tokenIds.clone();
  }

  /** The geometric mean of the chosen tokens' probabilities, in [0, 1]. */
  public double confidence() {
    return Math.exp(meanLogProb);
  }

  /**
   * Counts of a speculative decode.
   *
   * @param proposed draft tokens offered to the target
   * @param accepted draft tokens the target agreed with
   * @param targetCalls target model calls (each verifies a run of proposals)
   * @param draftCalls draft model calls
   */
  public record SpeculationStats(long proposed, long accepted, long targetCalls, long draftCalls) {

    /** Accepted over proposed, or 0 when nothing was proposed. */
    public double acceptanceRate() {
      return proposed == 0 ? 0 : (double) accepted / proposed;
    }
  }
}
