package io.sluice.inference.generate;

/** Why a sequence stopped growing. */
public enum FinishReason {
  /** The model emitted an end-of-sequence token (included in the output ids). */
  EOS,
  /** The model emitted one of the request's stop tokens (included in the output ids). */
  STOP_TOKEN,
  /** The text came to contain a stop string (the text is cut before it). */
  STOP_STRING,
  /** {@code maxNewTokens} were generated. */
  MAX_TOKENS,
  /** The output constraint was satisfied and admits no longer text. */
  CONSTRAINT_COMPLETE,
  /**
   * No token of the vocabulary could continue the constraint (a vocabulary without single-byte
   * tokens); the output may not validate.
   */
  CONSTRAINT_DEAD_END,
  /** The record's deadline passed before generation finished; there is no output. */
  DEADLINE;

  /**
   * The word OpenAI's API uses for this ending, where it has one: {@code stop} (an end token, a
   * stop string, a completed constraint), {@code length} (the token budget); else
   * {@code constraint} or {@code deadline}.
   */
  public String apiName() {
    return switch (this) {
      case EOS, STOP_TOKEN, STOP_STRING, CONSTRAINT_COMPLETE -> "stop";
      case MAX_TOKENS -> "length";
      case CONSTRAINT_DEAD_END -> "constraint";
      case DEADLINE -> "deadline";
    };
  }
}
