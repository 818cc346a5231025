package io.sluice.operators.route.internal;

/**
 * One lexical token of a routing expression.
 *
 * @param kind what sort of token
 * @param text the token as written
 * @param value the literal's value (Double or String), else null
 * @param column 1-based column where the token starts
 */
record Token(Kind kind, String text, Object value, int column) {

  /** Token kinds; keywords are lower case and case-sensitive. */
  public enum Kind {
    NUMBER, STRING, IDENTIFIER, AND, OR, NOT, IN, TRUE, FALSE,
    LEFT_PAREN, RIGHT_PAREN, LEFT_BRACKET, RIGHT_BRACKET, COMMA,
    EQ, NE, LT, LE, GT, GE, MATCH, END;

    /** Whether this is one of the six comparison operators. */
    public boolean isComparison() {
      return switch (this) {
        case EQ, NE, LT, LE, GT, GE -> true;
        default -> false;
      };
    }
  }

  /** How an error message quotes this token. */
  public String describe() {
    return kind == Kind.END ? "the end of the expression" : "'" + text + "'";
  }
}
