package io.sluice.inference.generate;

import io.sluice.inference.InferenceException;

/** A record's prompt and token budget do not fit the model's positions, and may not be cut. */
public final class PromptTooLongException extends InferenceException {

  private final int promptTokens;
  private final int limit;

  public PromptTooLongException(String message, int promptTokens, int limit) {
    super(message);
    this.promptTokens = promptTokens;
    this.limit = limit;
  }

  /** Prompt tokens, prefix included. */
  public int promptTokens() {
    return promptTokens;
  }

  /** The most prompt tokens that fit with the token budget. */
  public int limit() {
    return limit;
  }
}
