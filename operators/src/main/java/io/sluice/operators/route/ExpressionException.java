package io.sluice.operators.route;

/**
 * A routing expression that cannot be parsed or fails its static type check. Carries the 1-based
 * column in the expression text where the problem is and a hint on what to write instead.
 */
public final class ExpressionException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String expression;
  private final int column;
  private final String problem;
  private final String hint;

  /**
   * @param expression the whole expression text
   * @param column 1-based column of the problem in {@code expression}
   * @param problem what is wrong, naming the offending text
   * @param hint what to write instead, or empty
   */
  public ExpressionException(String expression, int column, String problem, String hint) {
    super(problem + " at column " + column + " of \"" + expression + "\""
        + (hint.isEmpty() ? "" : " (hint: " + hint + ")"));
    this.expression = expression;
    this.column = column;
    this.problem = problem;
    this.hint = hint;
  }

  /** The expression text as given. */
  public String expression() {
    return expression;
  }

  /** 1-based column in {@link #expression()} where the problem is. */
  public int column() {
    return column;
  }

  /** What is wrong, without the position. */
  public String problem() {
    return problem;
  }

  /** What to write instead, or empty. */
  public String hint() {
    return hint;
  }
}
