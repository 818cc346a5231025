package io.sluice.inference.generate.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A recursive-descent parser for the regular-expression subset a constraint can use: literals,
 * {@code .}, classes ({@code [a-z]}, {@code [^"]}), the escapes {@code \d \w \s} (and their
 * negations), {@code \n \t \r \f \v \xHH \\uHHHH} and escaped metacharacters, groups ({@code (...)}
 * {@code (?:...)} and named {@code (?<name>...)}), alternation, and the quantifiers {@code * + ? {n} {n,} {n,m}} (a trailing
 * lazy {@code ?} is accepted: it changes nothing for a whole-string match). The pattern must match
 * the whole output, so {@code ^} at the start and {@code $} at the end are accepted and ignored.
 * Back-references and look-around cannot be expressed as a finite automaton and are refused with
 * the position of the offending construct.
 */
public final class RegexParser {

  /** A quantifier may expand to at most this many copies of its operand. */
  static final int MAX_REPEAT = 1000;

  private final String pattern;
  private final int[] cps;
  private int pos;

  private RegexParser(String pattern) {
    this.pattern = pattern;
    this.cps = pattern.codePoints().toArray();
  }

  public static RegexNode parse(String pattern) {
    RegexParser parser = new RegexParser(pattern);
    if (parser.peekIs('^')) {
      parser.pos++;
    }
    RegexNode node = parser.alternation();
    if (parser.pos < parser.cps.length) {
      throw parser.error("unbalanced ')'");
    }
    return node;
  }

  private RegexNode alternation() {
    List<RegexNode> choices = new ArrayList<>();
    choices.add(sequence());
    while (peekIs('|')) {
      pos++;
      choices.add(sequence());
    }
    return choices.size() == 1 ? choices.get(0) : new RegexNode.Alternation(choices);
  }

  private RegexNode sequence() {
    List<RegexNode> parts = new ArrayList<>();
    while (pos < cps.length && !peekIs('|') && !peekIs(')')) {
      if (peekIs('$') && pos == cps.length - 1) {
        pos++;
        break;
      }
      parts.add(quantified(atom()));
    }
    if (parts.isEmpty()) {
      return new RegexNode.Empty();
    }
    return parts.size() == 1 ? parts.get(0) : new RegexNode.Concat(parts);
  }

  private RegexNode quantified(RegexNode atom) {
    RegexNode node = atom;
    while (pos < cps.length) {
      int c = cps[pos];
      int min;
      int max;
      if (c == '*') {
        min = 0;
        max = -1;
        pos++;
      } else if (c == '+') {
        min = 1;
        max = -1;
        pos++;
      } else if (c == '?') {
        min = 0;
        max = 1;
        pos++;
      } else if (c == '{' && looksLikeCount()) {
        int start = pos;
        pos++;
        min = number();
        max = min;
        if (peekIs(',')) {
          pos++;
          max = peekIs('}') ? -1 : number();
        }
        expect('}');
        if (max >= 0 && max < min) {
          throw error("quantifier {" + min + "," + max + "} at " + start + " has max < min");
        }
        if (Math.max(min, max) > MAX_REPEAT) {
          throw error("quantifier at " + start + " exceeds " + MAX_REPEAT + " repetitions");
        }
      } else {
        return node;
      }
      if (peekIs('?') || peekIs('+')) {
        if (peekIs('+')) {
          throw error("possessive quantifiers are not supported");
        }
        pos++;
      }
      node = new RegexNode.Repeat(node, min, max);
    }
    return node;
  }

  private boolean looksLikeCount() {
    int i = pos + 1;
    boolean digits = false;
    while (i < cps.length && Character.isDigit(cps[i])) {
      i++;
      digits = true;
    }
    return digits && i < cps.length && (cps[i] == '}' || cps[i] == ',');
  }

  private int number() {
    int start = pos;
    long value = 0;
    while (pos < cps.length && cps[pos] >= '0' && cps[pos] <= '9') {
      value = value * 10 + (cps[pos] - '0');
      if (value > Integer.MAX_VALUE) {
        throw error("count too large at " + start);
      }
      pos++;
    }
    if (pos == start) {
      throw error("expected a number");
    }
    return (int) value;
  }

  private RegexNode atom() {
    int c = cps[pos];
    switch (c) {
      case '(':
        return group();
      case '[':
        return new RegexNode.CharSet(charClass());
      case '.':
        pos++;
        // As in java.util.regex: '.' matches anything but a line terminator.
        return new RegexNode.CharSet(CodePointSets.complement(
            new int[] {'\n', '\n', '\r', '\r', 0x85, 0x85, 0x2028, 0x2029}));
      case '\\':
        return new RegexNode.CharSet(escape(false));
      case '*':
      case '+':
      case '?':
        throw error("quantifier '" + Character.toString(c) + "' has nothing to repeat");
      case '^':
      case '$':
        throw error("anchors are only allowed at the start and end (the pattern always matches"
            + " the whole output)");
      default:
        pos++;
        return new RegexNode.CharSet(new int[] {c, c});
    }
  }

  private RegexNode group() {
    int start = pos;
    pos++;
    if (peekIs('?')) {
      if (pos + 1 < cps.length && cps[pos + 1] == ':') {
        pos += 2;
      } else if (pos + 2 < cps.length && cps[pos + 1] == '<' && Character.isLetter(cps[pos + 2])) {
        // A named group (?<name>...) matches like a plain group; the name is for field extraction.
        pos += 2;
        while (pos < cps.length && Character.isLetterOrDigit(cps[pos])) {
          pos++;
        }
        expect('>');
      } else {
        throw error("group construct '(?' at " + start
            + " is not supported (look-around and named groups cannot be constrained; use (?:...))");
      }
    }
    RegexNode inner = alternation();
    if (!peekIs(')')) {
      throw error("group opened at " + start + " is not closed");
    }
    pos++;
    return inner;
  }

  private int[] charClass() {
    int start = pos;
    pos++;
    boolean negate = false;
    if (peekIs('^')) {
      negate = true;
      pos++;
    }
    List<Integer> pairs = new ArrayList<>();
    boolean first = true;
    while (true) {
      if (pos >= cps.length) {
        throw error("character class opened at " + start + " is not closed");
      }
      int c = cps[pos];
      if (c == ']' && !first) {
        pos++;
        break;
      }
      first = false;
      int[] item;
      if (c == '\\') {
        item = escape(true);
      } else if (c == '[' && pos + 1 < cps.length && cps[pos + 1] == ':') {
        throw error("POSIX classes like [:alpha:] are not supported");
      } else {
        pos++;
        item = new int[] {c, c};
      }
      if (item.length == 2 && item[0] == item[1] && peekIs('-') && pos + 1 < cps.length
          && cps[pos + 1] != ']') {
        pos++;
        int[] upper;
        if (cps[pos] == '\\') {
          upper = escape(true);
        } else {
          upper = single(cps[pos]);
          pos++;
        }
        if (upper.length != 2 || upper[0] != upper[1]) {
          throw error("a class range must end in a single character");
        }
        if (upper[0] < item[0]) {
          throw error("class range out of order");
        }
        item = new int[] {item[0], upper[0]};
      }
      for (int v : item) {
        pairs.add(v);
      }
    }
    int[] set = CodePointSets.normalize(pairs.stream().mapToInt(Integer::intValue).toArray());
    return negate ? CodePointSets.complement(set) : CodePointSets.minusSurrogates(set);
  }

  /** Parses one escape at {@code pos} (which holds the backslash) and returns its set. */
  private int[] escape(boolean inClass) {
    int start = pos;
    pos++;
    if (pos >= cps.length) {
      throw error("pattern ends with a lone backslash");
    }
    int c = cps[pos++];
    switch (c) {
      case 'd':
        return CodePointSets.DIGIT.clone();
      case 'D':
        return CodePointSets.complement(CodePointSets.DIGIT);
      case 'w':
        return CodePointSets.WORD.clone();
      case 'W':
        return CodePointSets.complement(CodePointSets.WORD);
      case 's':
        return CodePointSets.SPACE.clone();
      case 'S':
        return CodePointSets.complement(CodePointSets.SPACE);
      case 'n':
        return single('\n');
      case 't':
        return single('\t');
      case 'r':
        return single('\r');
      case 'f':
        return single('\f');
      case 'v':
        return single(0x0B);
      case '0':
        return single(0);
      case 'x':
        return single(hex(2));
      case 'u':
        return single(hex(4));
      default:
        if (Character.isLetterOrDigit(c)) {
          throw error("escape '\\" + Character.toString(c) + "' at " + start + " is not supported"
              + (inClass ? " inside a class" : "") + " (back-references and \\b cannot be"
              + " constrained)");
        }
        return single(c);
    }
  }

  private int hex(int digits) {
    if (pos + digits > cps.length) {
      throw error("expected " + digits + " hex digits");
    }
    int value = 0;
    for (int i = 0; i < digits; i++) {
      int d = Character.digit(cps[pos++], 16);
      if (d < 0) {
        throw error("expected a hex digit");
      }
      value = value * 16 + d;
    }
    return value;
  }

  private static int[] single(int c) {
    return new int[] {c, c};
  }

  private boolean peekIs(int c) {
    return pos < cps.length && cps[pos] == c;
  }

  private void expect(int c) {
    if (!peekIs(c)) {
      throw error("expected '" + Character.toString(c) + "'");
    }
    pos++;
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(
        "Invalid constraint pattern /" + pattern + "/ at position " + pos + ": " + what);
  }
}
