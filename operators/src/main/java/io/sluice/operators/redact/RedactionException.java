package io.sluice.operators.redact;

/**
 * A text that could not be redacted because a pattern needed more work than its budget allows
 * (a regex that backtracks catastrophically on this text). Redaction fails closed: the caller
 * must not forward the text (the redact operator sends the record to the dead-letter topic).
 */
public final class RedactionException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String pattern;

  public RedactionException(String pattern, String message) {
    super(message);
    this.pattern = pattern;
  }

  /** The name of the pattern that ran out of budget. */
  public String pattern() {
    return pattern;
  }
}
