package io.sluice.operators.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Runs a pattern over a text under a work budget, for redaction and extraction. Two ways a
 * {@code java.util.regex} pattern can hurt a stream thread are both turned into
 * {@link BoundedText.WorkExceeded}: catastrophic backtracking (the budget of character reads runs
 * out) and deep recursion on long repetitions of a group (a {@link StackOverflowError}, which
 * the JDK's engine throws for patterns such as {@code (a|b)+} over long inputs). A pattern may
 * declare a named group {@code value}; then the hit is that group's span, not the whole match.
 */
public final class RegexScan {

  private static final Pattern VALUE_GROUP = Pattern.compile("(?<!\\\\)\\(\\?<value>");

  private RegexScan() {}

  /** A matched span, {@code start} inclusive, {@code end} exclusive. */
  public record Hit(int start, int end) {}

  /**
   * Compiles a user's regex.
   *
   * @param what how to name it in an error, e.g. {@code custom pattern 'badge'}
   * @throws IllegalArgumentException naming the pattern, the regex and what is wrong with it
   */
  public static Pattern compile(String what, String regex, int flags) {
    if (regex == null || regex.isEmpty()) {
      throw new IllegalArgumentException(what + " has an empty regex");
    }
    Pattern pattern;
    try {
      pattern = Pattern.compile(regex, flags);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(what + " has an invalid regex \"" + regex + "\": "
          + e.getDescription() + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""), e);
    }
    if (pattern.matcher("").matches()) {
      throw new IllegalArgumentException(what + " matches the empty text (regex \"" + regex
          + "\"); it must match at least one character");
    }
    return pattern;
  }

  /** Whether {@code regex} declares a named group {@code value}. */
  public static boolean declaresValueGroup(String regex) {
    return VALUE_GROUP.matcher(regex).find();
  }

  /** Decides how much of a candidate to keep: the accepted end, or -1 to reject it. */
  @FunctionalInterface
  public interface Acceptor {
    /** Accepts every candidate whole. */
    Acceptor WHOLE = (text, start, end) -> end;

    /** The end of the accepted span (after {@code start}), or -1 to reject the candidate. */
    int accept(String text, int start, int end);
  }

  /**
   * Every non-empty, non-overlapping hit of {@code pattern} in {@code text}, left to right, as
   * the acceptor trims or rejects them. The search resumes where an accepted hit ends (so a
   * trimmed candidate does not hide the next one) and one character after the start of a
   * rejected one (so a rejected candidate does not hide one inside it).
   *
   * @throws BoundedText.WorkExceeded when matching needs more than {@code budget} character
   *     reads or recurses too deep
   */
  public static List<Hit> scan(Pattern pattern, boolean valueGroup, String text, long budget,
      Acceptor acceptor) {
    List<Hit> hits = new ArrayList<>();
    try {
      Matcher m = pattern.matcher(new BoundedText(text, budget));
      boolean found = m.find();
      while (found) {
        int start = valueGroup ? m.start("value") : m.start();
        int end = valueGroup ? m.end("value") : m.end();
        int accepted = start >= 0 && end > start ? acceptor.accept(text, start, end) : -1;
        if (accepted > start) {
          hits.add(new Hit(start, accepted));
        }
        if (accepted > start && !valueGroup && accepted < m.end()) {
          found = m.find(accepted);
        } else if (accepted <= start && m.start() + 1 < text.length() && !valueGroup) {
          found = m.find(m.start() + 1);
        } else {
          found = m.find();
        }
      }
    } catch (StackOverflowError e) {
      throw new BoundedText.WorkExceeded();
    }
    return hits;
  }
}
