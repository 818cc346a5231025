package io.sluice.inference.generate.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The syntax tree that both constraint front ends (regular expressions and JSON Schemas) produce,
 * over Unicode code points. {@link ByteNfa} compiles it to an automaton over UTF-8 bytes.
 */
sealed interface RegexNode {

  /** Matches the empty string. */
  record Empty() implements RegexNode {}

  /**
   * One code point from a set of ranges; {@code ranges} holds sorted, non-overlapping inclusive
   * pairs {@code [lo0, hi0, lo1, hi1, ...]}. An empty set matches nothing.
   */
  record CharSet(int[] ranges) implements RegexNode {}

  record Concat(List<RegexNode> parts) implements RegexNode {
    public Concat {
      parts = List.copyOf(parts);
    }
  }

  record Alternation(List<RegexNode> choices) implements RegexNode {
    public Alternation {
      choices = List.copyOf(choices);
    }
  }

  /** {@code node} repeated between {@code min} and {@code max} times; {@code max < 0}: no bound. */
  record Repeat(RegexNode node, int min, int max) implements RegexNode {}

  static RegexNode literal(String text) {
    List<RegexNode> parts = new ArrayList<>();
    text.codePoints().forEach(c -> parts.add(new CharSet(new int[] {c, c})));
    return parts.size() == 1 ? parts.get(0) : new Concat(parts);
  }

  static RegexNode concat(RegexNode... parts) {
    return new Concat(List.of(parts));
  }

  static RegexNode optional(RegexNode node) {
    return new Repeat(node, 0, 1);
  }
}
