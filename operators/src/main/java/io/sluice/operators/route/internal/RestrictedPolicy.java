package io.sluice.operators.route.internal;

import io.sluice.operators.route.internal.Node.And;
import io.sluice.operators.route.internal.Node.Compare;
import io.sluice.operators.route.internal.Node.Literal;
import io.sluice.operators.route.internal.Node.Not;
import io.sluice.operators.route.internal.Node.Or;
import io.sluice.operators.route.internal.Node.Ref;
import io.sluice.operators.route.internal.Values.Op;

/**
 * Proves, from the shape of a condition alone, facts about records marked restricted. The proof
 * is sound and deliberately simple: it knows {@code restricted} (also written
 * {@code restricted == true} or {@code restricted != false}), its negation, the literals, and how
 * {@code and}, {@code or} and {@code not} combine them; every other comparison counts as unknown.
 * Evaluation is two-valued ({@code not} of a comparison with a missing value is true) and
 * {@code restricted} is never missing, so the rules below hold for every record.
 */
public final class RestrictedPolicy {

  private RestrictedPolicy() {}

  /** Whether {@code condition} is true for every restricted record (restricted implies it). */
  public static boolean holdsForAllRestricted(Node condition) {
    return forced(condition, true);
  }

  /** Whether {@code condition} is false for every restricted record (it implies not restricted). */
  public static boolean failsForAllRestricted(Node condition) {
    return forced(condition, false);
  }

  /** Whether {@code condition} provably equals {@code outcome} for every restricted record. */
  private static boolean forced(Node condition, boolean outcome) {
    if (condition instanceof Or or) {
      return outcome ? or.terms().stream().anyMatch(t -> forced(t, true))
          : or.terms().stream().allMatch(t -> forced(t, false));
    }
    if (condition instanceof And and) {
      return outcome ? and.terms().stream().allMatch(t -> forced(t, true))
          : and.terms().stream().anyMatch(t -> forced(t, false));
    }
    if (condition instanceof Not not) {
      return forced(not.operand(), !outcome);
    }
    if (condition instanceof Literal literal) {
      return Boolean.valueOf(outcome).equals(literal.value());
    }
    return Boolean.valueOf(outcome).equals(restrictedTest(condition));
  }

  /**
   * For an atom that reads only {@code restricted}: TRUE when it is equivalent to
   * {@code restricted}, FALSE when equivalent to {@code not restricted}; null otherwise.
   */
  private static Boolean restrictedTest(Node atom) {
    if (isRestricted(atom)) {
      return Boolean.TRUE;
    }
    if (atom instanceof Compare c && !c.op().orders()) {
      Object constant = isRestricted(c.left()) ? constantOf(c.right())
          : isRestricted(c.right()) ? constantOf(c.left()) : null;
      if (constant instanceof Boolean b) {
        return b == (c.op() == Op.EQ);
      }
    }
    return null;
  }

  private static boolean isRestricted(Node node) {
    return node instanceof Ref ref && ref.identifier().name().equals("restricted");
  }

  private static Object constantOf(Node node) {
    return node instanceof Literal literal ? literal.value() : null;
  }
}
