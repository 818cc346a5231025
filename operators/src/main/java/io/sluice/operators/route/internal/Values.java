package io.sluice.operators.route.internal;

import io.sluice.operators.internal.BoundedText;
import java.util.regex.Pattern;

/**
 * Run-time semantics of comparisons. Values are Double, Boolean or String; null is a missing
 * value and makes every comparison false (SQL-like), including {@code !=}. Text read from payload
 * attributes or extracted fields ("dynamic" operands) compares as numbers when both sides parse
 * as numbers, otherwise as text; text that is not a number is unequal to every number and has no
 * order with one. NaN counts as missing.
 */
final class Values {

  /** Character reads allowed per character of text for one regex match. */
  static final int REGEX_WORK_PER_CHAR = 256;

  private static final Pattern DECIMAL =
      Pattern.compile("[-+]?(?:\\d++(?:\\.\\d*+)?|\\.\\d++)(?:[eE][-+]?\\d++)?");

  private Values() {}

  /** The comparison operators. */
  public enum Op {
    EQ("=="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">=");

    private final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    /** The operator as written. */
    public String symbol() {
      return symbol;
    }

    /** Whether this operator orders (as opposed to testing equality). */
    public boolean orders() {
      return this != EQ && this != NE;
    }

    static Op of(Token.Kind kind) {
      return switch (kind) {
        case EQ -> EQ;
        case NE -> NE;
        case LT -> LT;
        case LE -> LE;
        case GT -> GT;
        case GE -> GE;
        default -> throw new IllegalArgumentException("not a comparison: " + kind);
      };
    }
  }

  /** A bare value used as a condition: true only for Boolean true or the text "true". */
  public static boolean truthy(Object value) {
    if (value instanceof Boolean b) {
      return b;
    }
    return value instanceof String s && s.trim().equalsIgnoreCase("true");
  }

  /**
   * Compares two values.
   *
   * @param dynamic whether either operand is a payload value (numbers compare numerically when
   *     both sides parse)
   */
  public static boolean compare(Op op, Object left, Object right, boolean dynamic) {
    if (left == null || right == null || isNaN(left) || isNaN(right)) {
      return false;
    }
    if (left instanceof Boolean || right instanceof Boolean) {
      if (op.orders()) {
        return false;
      }
      boolean same = String.valueOf(left).trim().equalsIgnoreCase(String.valueOf(right).trim());
      return op == Op.EQ ? same : !same;
    }
    Double l = left instanceof Double d ? d : dynamic ? parseNumber((String) left) : null;
    Double r = right instanceof Double d ? d : dynamic ? parseNumber((String) right) : null;
    if (l != null && r != null) {
      return ordered(op, Double.compare(l == 0.0 ? 0.0 : l, r == 0.0 ? 0.0 : r));
    }
    if (op.orders()) {
      return false;
    }
    boolean same = left instanceof String && right instanceof String && left.equals(right);
    return op == Op.EQ ? same : !same;
  }

  /** Whether {@code regex} finds a match in {@code value}; false when missing or too costly. */
  public static boolean matches(Pattern regex, Object value) {
    if (!(value instanceof String s)) {
      return false;
    }
    try {
      return regex.matcher(new BoundedText(s, BoundedText.linearBudget(s, REGEX_WORK_PER_CHAR)))
          .find();
    } catch (BoundedText.WorkExceeded | StackOverflowError e) {
      return false;
    }
  }

  /** The number {@code text} spells (decimal, optional sign and exponent), or null. */
  public static Double parseNumber(String text) {
    String t = text.trim();
    return DECIMAL.matcher(t).matches() ? Double.valueOf(t) : null;
  }

  private static boolean ordered(Op op, int cmp) {
    return switch (op) {
      case EQ -> cmp == 0;
      case NE -> cmp != 0;
      case LT -> cmp < 0;
      case LE -> cmp <= 0;
      case GT -> cmp > 0;
      case GE -> cmp >= 0;
    };
  }

  private static boolean isNaN(Object v) {
    return v instanceof Double d && d.isNaN();
  }
}
