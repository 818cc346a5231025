package io.sluice.operators.route;

import io.sluice.operators.route.internal.Identifier;
import io.sluice.operators.route.internal.Node;
import io.sluice.operators.route.internal.Parser;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A parsed, type-checked routing condition such as {@code novel or confidence < 0.7}. Immutable
 * and thread-safe; parse once, test many records. The language is described in
 * {@code docs/routing.md}: no function calls, loops or reflection, so testing a record visits each
 * part of the expression at most once (regular expressions run under a work budget).
 */
public final class Expression {

  private final String text;
  private final Node root;
  private final Set<String> identifiers;

  private Expression(String text, Node root, Set<String> identifiers) {
    this.text = text;
    this.root = root;
    this.identifiers = identifiers;
  }

  /**
   * Parses and checks {@code text}.
   *
   * @throws ExpressionException naming the 1-based column of the first problem and a hint
   */
  public static Expression parse(String text) {
    Objects.requireNonNull(text, "expression text");
    Parser.Parsed parsed = Parser.parse(text);
    return new Expression(text, parsed.root(), parsed.identifiers());
  }

  /**
   * The identifiers an expression may use, as documented: the plain ones, then the dotted
   * families written with {@code <name>} (for editors and reference pages).
   */
  public static List<String> knownIdentifiers() {
    List<String> names = new ArrayList<>(Identifier.PLAIN.keySet());
    for (String prefix : Identifier.PREFIXES) {
      names.add(prefix + ".<name>");
    }
    for (String field : Identifier.GENERATED.keySet()) {
      names.add("generate." + field);
    }
    return Collections.unmodifiableList(names);
  }

  /** Whether {@code record} satisfies this condition; missing values make comparisons false. */
  public boolean test(RecordView record) {
    return root.test(Objects.requireNonNull(record, "record"));
  }

  /** The identifiers this expression reads, as written ({@code payload.priority}), in order. */
  public Set<String> identifiers() {
    return identifiers;
  }

  /** The expression as given to {@link #parse}. */
  public String text() {
    return text;
  }

  Node root() {
    return root;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Expression e && e.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
