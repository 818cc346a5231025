package io.sluice.operators.route.internal;

import io.sluice.operators.route.RecordView;
import io.sluice.operators.route.internal.Values.Op;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The syntax tree of a checked expression. Each node evaluates itself; evaluation visits every
 * node at most once, so its cost is bounded by the expression's size (regex matches are bounded
 * separately, by a work budget per character of the text they read). Parentheses leave no node:
 * {@code (restricted)} is the same tree as {@code restricted}.
 */
public sealed interface Node {

  /** 1-based column where the node starts in the expression text. */
  int column();

  /** The node's static type. */
  Type type();

  /** The node's value for {@code record}: Double, Boolean, String, or null when missing. */
  Object value(RecordView record);

  /** The node as a condition. */
  default boolean test(RecordView record) {
    return Values.truthy(value(record));
  }

  /** A node whose value is true or false; each one implements {@link #test}. */
  sealed interface Condition extends Node {
    @Override
    default Type type() {
      return Type.BOOLEAN;
    }

    @Override
    default Object value(RecordView record) {
      return test(record);
    }

    @Override
    boolean test(RecordView record);
  }

  /** {@code a or b or ...}: true when any term is true. */
  record Or(List<Node> terms, int column) implements Condition {
    @Override
    public boolean test(RecordView record) {
      for (Node term : terms) {
        if (term.test(record)) {
          return true;
        }
      }
      return false;
    }
  }

  /** {@code a and b and ...}: true when every term is true. */
  record And(List<Node> terms, int column) implements Condition {
    @Override
    public boolean test(RecordView record) {
      for (Node term : terms) {
        if (!term.test(record)) {
          return false;
        }
      }
      return true;
    }
  }

  /** {@code not a}: true when {@code a} is false (including false because a value is missing). */
  record Not(Node operand, int column) implements Condition {
    @Override
    public boolean test(RecordView record) {
      return !operand.test(record);
    }
  }

  /** {@code left op right}. */
  record Compare(Op op, Node left, Node right, boolean dynamic, int column) implements Condition {
    @Override
    public boolean test(RecordView record) {
      return Values.compare(op, left.value(record), right.value(record), dynamic);
    }
  }

  /** {@code left in [values]} or {@code left not in [values]}; false when left is missing. */
  record Membership(Node left, List<Literal> values, boolean negated, boolean dynamic,
      int column) implements Condition {
    @Override
    public boolean test(RecordView record) {
      Object v = left.value(record);
      if (v == null) {
        return false;
      }
      for (Literal candidate : values) {
        if (Values.compare(Op.EQ, v, candidate.value(), dynamic)) {
          return !negated;
        }
      }
      return negated;
    }
  }

  /** {@code left ~ 'regex'}: true when the regex is found anywhere in the text. */
  record Match(Node left, Pattern regex, int column) implements Condition {
    @Override
    public boolean test(RecordView record) {
      return Values.matches(regex, left.value(record));
    }
  }

  /** A value read from the record. */
  record Ref(Identifier identifier, int column) implements Node {
    @Override
    public Type type() {
      return identifier.type();
    }

    @Override
    public Object value(RecordView record) {
      return identifier.read(record);
    }
  }

  /** A number, string or boolean written in the expression. */
  record Literal(Object value, Type type, String text, int column) implements Node {
    @Override
    public Object value(RecordView record) {
      return value;
    }
  }
}
