package io.sluice.operators.extract.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Finds listed terms in text: case-insensitive, whole words, longest match first.
 *
 * <p>Design. Text and terms are split into tokens: runs of letters and digits, and single
 * punctuation characters; whitespace separates tokens and is otherwise ignored, so
 * {@code "relief  valve"} matches the term {@code "relief valve"} and {@code "O-ring"} matches
 * {@code "O - ring"} but not {@code "O ring"}. Terms go into a trie of lower-cased tokens. The
 * scan walks the text's tokens left to right; at each token it follows the trie as far as the
 * text allows and takes the longest term that ends there; after a match it continues after it,
 * otherwise at the next token. So matches never overlap, the leftmost wins, then the longest,
 * and the result does not depend on the order of the terms. The cost is the number of tokens
 * times the length (in tokens) of the longest term.
 */
public final class Gazetteer {

  private static final class Node {
    final Map<String, Node> next = new HashMap<>();
    String term;
  }

  /** A term found in a text. */
  public record Match(String term, int start, int end) {}

  private record Token(String key, int start, int end) {}

  private final Node root = new Node();

  /**
   * A gazetteer of {@code terms}; the first spelling of a term (ignoring case and spacing) is
   * the one reported.
   *
   * @throws IllegalArgumentException for a blank term
   */
  public Gazetteer(List<String> terms) {
    for (String term : terms) {
      List<Token> tokens = tokens(term == null ? "" : term);
      if (tokens.isEmpty()) {
        throw new IllegalArgumentException("blank term");
      }
      Node node = root;
      for (Token t : tokens) {
        node = node.next.computeIfAbsent(t.key(), k -> new Node());
      }
      if (node.term == null) {
        node.term = term.strip();
      }
    }
  }

  /** Every match in {@code text}, left to right, none overlapping. */
  public List<Match> find(String text) {
    List<Token> tokens = tokens(text);
    List<Match> matches = new ArrayList<>();
    int i = 0;
    while (i < tokens.size()) {
      Node node = root;
      int lastEnd = -1;
      String found = null;
      for (int j = i; j < tokens.size(); j++) {
        node = node.next.get(tokens.get(j).key());
        if (node == null) {
          break;
        }
        if (node.term != null) {
          found = node.term;
          lastEnd = j;
        }
      }
      if (found == null) {
        i++;
      } else {
        matches.add(new Match(found, tokens.get(i).start(), tokens.get(lastEnd).end()));
        i = lastEnd + 1;
      }
    }
    return matches;
  }

  /** Splits into runs of letters and digits and single other non-space characters. */
  private static List<Token> tokens(String text) {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      int start = i;
      if (Character.isLetterOrDigit(c)) {
        while (i < text.length() && Character.isLetterOrDigit(text.charAt(i))) {
          i++;
        }
      } else {
        i++;
      }
      tokens.add(new Token(text.substring(start, i).toLowerCase(Locale.ROOT), start, i));
    }
    return tokens;
  }
}
