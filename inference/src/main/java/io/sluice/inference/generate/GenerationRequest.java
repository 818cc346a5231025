package io.sluice.inference.generate;

import java.util.List;
import java.util.Optional;

/**
 * One prompt to continue.
 *
 * @param id the caller's name for it, echoed in results and listener calls
 * @param prefixIds a shared prefix (system prompt, instructions, few-shot examples) whose key/value
 *     state is computed once per model version and reused; may be empty
 * @param promptIds the record-specific rest of the prompt, after the prefix
 * @param maxNewTokens at most this many tokens are generated
 * @param minNewTokens end-of-sequence is suppressed until this many were generated
 * @param sampling greedy or seeded sampling
 * @param stopTokenIds extra ids that end generation (end-of-sequence ids always do)
 * @param stopStrings texts that end generation once the output contains them
 * @param constraint a JSON Schema or regular expression the output must match
 * @param listener receives tokens as they come
 */
public record GenerationRequest(
    String id,
    int[] prefixIds,
    int[] promptIds,
    int maxNewTokens,
    int minNewTokens,
    Sampling sampling,
    List<Integer> stopTokenIds,
    List<String> stopStrings,
    Optional<OutputConstraint> constraint,
    TokenListener listener) {

  public GenerationRequest {
    prefixIds = prefixIds.clone();
    promptIds = promptIds.clone();
    stopTokenIds = List.copyOf(stopTokenIds);
    stopStrings = List.copyOf(stopStrings);
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("Request '" + id + "': maxNewTokens must be at least 1,"
          + " got " + maxNewTokens);
    }
    if (minNewTokens < 0 || minNewTokens > maxNewTokens) {
      throw new IllegalArgumentException("Request '" + id + "': minNewTokens must be in 0.."
          + maxNewTokens + ", got " + minNewTokens);
    }
    for (String s : stopStrings) {
      if (s.isEmpty()) {
        throw new IllegalArgumentException("Request '" + id + "': a stop string is empty");
      }
    }
  }

  public static Builder builder(int[] promptIds) {
    return new Builder(promptIds);
  }

  public int promptLength() {
    return prefixIds.length + promptIds.length;
  }

  /** Fills the many optional fields; defaults: greedy, 64 new tokens, no prefix, no constraint. */
  public static final class Builder {
    private String id = "request";
    private int[] prefixIds = new int[0];
    private final int[] promptIds;
    private int maxNewTokens = 64;
    private int minNewTokens;
    private Sampling sampling = Sampling.greedy();
    private List<Integer> stopTokenIds = List.of();
    private List<String> stopStrings = List.of();
    private OutputConstraint constraint;
    private TokenListener listener = TokenListener.NONE;

    private Builder(int[] promptIds) {
      this.promptIds = promptIds.clone();
    }

    public Builder id(String value) {
      this.id = value;
      return this;
    }

    public Builder prefix(int[] value) {
      this.prefixIds = value.clone();
      return this;
    }

    public Builder maxNewTokens(int value) {
      this.maxNewTokens = value;
      return this;
    }

    public Builder minNewTokens(int value) {
      this.minNewTokens = value;
      return this;
    }

    public Builder sampling(Sampling value) {
      this.sampling = value;
      return this;
    }

    public Builder stopTokenIds(List<Integer> value) {
      this.stopTokenIds = value;
      return this;
    }

    public Builder stopStrings(List<String> value) {
      this.stopStrings = value;
      return this;
    }

    public Builder constraint(OutputConstraint value) {
      this.constraint = value;
      return this;
    }

    public Builder listener(TokenListener value) {
      this.listener = value;
      return this;
    }

    public GenerationRequest build() {
      return new GenerationRequest(id, prefixIds, promptIds, maxNewTokens, minNewTokens, sampling,
          stopTokenIds, stopStrings, Optional.ofNullable(constraint), listener);
    }
  }
}
