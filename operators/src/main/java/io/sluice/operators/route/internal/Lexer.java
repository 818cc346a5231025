package io.sluice.operators.route.internal;

import io.sluice.operators.route.ExpressionException;
import io.sluice.operators.route.internal.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits an expression into tokens in one left-to-right pass. Strings take single or double
 * quotes; inside them a backslash escapes only the quote character and itself, so regular
 * expressions keep their backslashes ({@code '\d+'} is the regex {@code \d+}). Identifiers may be
 * dotted ({@code payload.priority}); the parser decides which are known. Characters that users
 * bring from other languages ({@code =}, {@code &&}, {@code ||}, {@code !}, {@code <>}) are
 * errors with a hint naming the operator to use.
 */
final class Lexer {

  /** Longer expressions are refused: rules are meant to be read by people. */
  public static final int MAX_LENGTH = 4_096;

  private static final Pattern NUMBER =
      Pattern.compile("[-+]?(?:\\d++(?:\\.\\d++)?|\\.\\d++)(?:[eE][-+]?\\d++)?");

  private static final Map<String, Kind> KEYWORDS = Map.of(
      "and", Kind.AND, "or", Kind.OR, "not", Kind.NOT, "in", Kind.IN,
      "true", Kind.TRUE, "false", Kind.FALSE);

  private final String source;
  private final List<Token> tokens = new ArrayList<>();
  private int pos;

  private Lexer(String source) {
    this.source = source;
  }

  /** The tokens of {@code source}, ending with an {@link Kind#END} token. */
  public static List<Token> tokenize(String source) {
    if (source.length() > MAX_LENGTH) {
      throw new ExpressionException(source, MAX_LENGTH + 1, "expression is longer than "
          + MAX_LENGTH + " characters", "split the rule into several rules");
    }
    Lexer lexer = new Lexer(source);
    lexer.run();
    return lexer.tokens;
  }

  /** Whether {@code word} is a keyword. */
  public static boolean isKeyword(String word) {
    return KEYWORDS.containsKey(word);
  }

  private void run() {
    while (true) {
      while (pos < source.length() && Character.isWhitespace(source.charAt(pos))) {
        pos++;
      }
      if (pos >= source.length()) {
        tokens.add(new Token(Kind.END, "", null, source.length() + 1));
        return;
      }
      char c = source.charAt(pos);
      char next = pos + 1 < source.length() ? source.charAt(pos + 1) : '\0';
      if (c == '\'' || c == '"') {
        string(c);
      } else if (Character.isDigit(c) || ((c == '.' || c == '-' || c == '+')
          && (Character.isDigit(next) || (next == '.' && c != '.')))) {
        number();
      } else if (Character.isLetter(c) || c == '_') {
        identifier();
      } else {
        symbol(c, next);
      }
    }
  }

  private void symbol(char c, char next) {
    switch (c) {
      case '(' -> single(Kind.LEFT_PAREN);
      case ')' -> single(Kind.RIGHT_PAREN);
      case '[' -> single(Kind.LEFT_BRACKET);
      case ']' -> single(Kind.RIGHT_BRACKET);
      case ',' -> single(Kind.COMMA);
      case '~' -> single(Kind.MATCH);
      case '=' -> {
        if (next != '=') {
          throw error(pos, "single '=' is not an operator", "use == to compare");
        }
        pair(Kind.EQ);
      }
      case '!' -> {
        if (next == '~') {
          throw error(pos, "'!~' is not an operator", "write not (x ~ 'regex')");
        }
        if (next != '=') {
          throw error(pos, "'!' is not an operator", "use not to negate a condition");
        }
        pair(Kind.NE);
      }
      case '<' -> {
        if (next == '>') {
          throw error(pos, "'<>' is not an operator", "use != for 'not equal'");
        }
        if (next == '=') {
          pair(Kind.LE);
        } else {
          single(Kind.LT);
        }
      }
      case '>' -> {
        if (next == '=') {
          pair(Kind.GE);
        } else {
          single(Kind.GT);
        }
      }
      case '&' -> throw error(pos, "'" + (next == '&' ? "&&" : "&") + "' is not an operator",
          "use and");
      case '|' -> throw error(pos, "'" + (next == '|' ? "||" : "|") + "' is not an operator",
          "use or");
      case '-', '+', '*', '/', '%' -> throw error(pos, "'" + c + "' is not an operator",
          "expressions have no arithmetic; compare values directly, e.g. confidence < 0.7");
      default -> throw error(pos, "unexpected character '" + c + "'",
          "expressions use identifiers, quoted strings, numbers, lists in [ ], comparisons,"
              + " ~, in, and, or, not and parentheses");
    }
  }

  private void single(Kind kind) {
    tokens.add(new Token(kind, source.substring(pos, pos + 1), null, pos + 1));
    pos++;
  }

  private void pair(Kind kind) {
    tokens.add(new Token(kind, source.substring(pos, pos + 2), null, pos + 1));
    pos += 2;
  }

  private void string(char quote) {
    int start = pos;
    StringBuilder value = new StringBuilder();
    pos++;
    while (pos < source.length()) {
      char c = source.charAt(pos);
      if (c == quote) {
        pos++;
        tokens.add(new Token(Kind.STRING, source.substring(start, pos), value.toString(),
            start + 1));
        return;
      }
      if (c == '\\' && pos + 1 < source.length()
          && (source.charAt(pos + 1) == quote || source.charAt(pos + 1) == '\\')) {
        value.append(source.charAt(pos + 1));
        pos += 2;
      } else {
        value.append(c);
        pos++;
      }
    }
    throw error(start, "string starting here is not closed", "end it with " + quote);
  }

  private void number() {
    Matcher m = NUMBER.matcher(source).region(pos, source.length());
    if (!m.lookingAt()) {
      throw error(pos, "malformed number", "write numbers like 0.7, -5 or 1e-3");
    }
    int end = m.end();
    if (end < source.length() && (Character.isLetterOrDigit(source.charAt(end))
        || source.charAt(end) == '.' || source.charAt(end) == '_')) {
      int wordEnd = end;
      while (wordEnd < source.length() && (Character.isLetterOrDigit(source.charAt(wordEnd))
          || source.charAt(wordEnd) == '.' || source.charAt(wordEnd) == '_')) {
        wordEnd++;
      }
      String word = source.substring(pos, wordEnd);
      throw error(pos, "malformed number '" + word + "'",
          "numbers have no units or thousands separators here; to compare text, quote it: '"
              + word + "'");
    }
    String text = source.substring(pos, end);
    tokens.add(new Token(Kind.NUMBER, text, Double.parseDouble(text), pos + 1));
    pos = end;
  }

  private void identifier() {
    int start = pos;
    pos = wordEnd(pos, false);
    while (pos + 1 < source.length() && source.charAt(pos) == '.'
        && isNameChar(source.charAt(pos + 1), false)) {
      pos = wordEnd(pos + 1, true);
    }
    String word = source.substring(start, pos);
    Kind keyword = KEYWORDS.get(word);
    tokens.add(new Token(keyword == null ? Kind.IDENTIFIER : keyword, word, null, start + 1));
  }

  private int wordEnd(int from, boolean allowHyphen) {
    int i = from;
    while (i < source.length() && isNameChar(source.charAt(i), allowHyphen)) {
      i++;
    }
    return i;
  }

  private static boolean isNameChar(char c, boolean allowHyphen) {
    return Character.isLetterOrDigit(c) || c == '_' || (allowHyphen && c == '-');
  }

  private ExpressionException error(int index, String problem, String hint) {
    return new ExpressionException(source, index + 1, problem, hint);
  }
}
