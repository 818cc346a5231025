package io.sluice.inference.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.Optional;

/**
 * What a {@code generate} step produced for one record.
 *
 * @param promptId the prompt template's id
 * @param promptVersion the prompt template's version
 * @param fields the parsed output: the JSON value for a JSON Schema, the named groups (as an
 *     object) for a regex with {@code (?<name>...)} groups, otherwise {@link MissingNode}
 * @param text the raw generated text
 * @param confidence geometric mean probability of the generated tokens, in [0, 1]
 * @param schemaFailed whether the output failed its schema or pattern (possible only when the
 *     token budget or vocabulary made the constraint unfinishable); route such records onward
 * @param failure why it failed, when it did
 * @param tokenIds the generated token ids
 * @param finishReason why generation ended
 * @param speculation draft statistics when a draft model was used
 * @param promptTokens tokens of the prompt the model read, prefix included
 * @param truncated whether a field of the record was cut so that the prompt fits the model
 */
public record Generation(
    String promptId,
    String promptVersion,
    JsonNode fields,
    String text,
    double confidence,
    boolean schemaFailed,
    Optional<String> failure,
    int[] tokenIds,
    FinishReason finishReason,
    Optional<GenerationResult.SpeculationStats> speculation,
    int promptTokens,
    boolean truncated) {

  public Generation {
    tokenIds = tokenIds.clone();
  }

  /** Whether the output met its contract: it parsed and validated, and was not cut short. */
  public boolean valid() {
    return !schemaFailed && finishReason != FinishReason.DEADLINE
        && finishReason != FinishReason.CONSTRAINT_DEAD_END;
  }

  /** New tokens the model generated. */
  public int completionTokens() {
    return tokenIds.length;
  }
}
