package io.sluice.operators.extract;

/**
 * A text on which a pattern needed more work than its budget allows (a custom regex that
 * backtracks catastrophically on this text). Names the pattern; the caller decides whether the
 * record goes on without extracted fields or to the dead-letter topic.
 */
public final class ExtractionException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String pattern;

  public ExtractionException(String pattern, String message) {
    super(message);
    this.pattern = pattern;
  }

  /** The name of the pattern that ran out of budget. */
  public String pattern() {
    return pattern;
  }
}
