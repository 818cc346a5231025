package io.sluice.operators.redact;

import io.sluice.operators.internal.BoundedText;
import io.sluice.operators.internal.RegexScan;
import io.sluice.operators.Suggestions;
import io.sluice.operators.redact.internal.RedactionPatterns;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Replaces personal and sensitive data in text with placeholders such as {@code [EMAIL]}.
 *
 * <p>Design. All patterns run over the original text, never over each other's output, so a
 * placeholder is never re-matched and the order of patterns does not change what is found.
 * Overlapping matches are merged, so that no part of anything any pattern matched survives; the
 * merged span takes the placeholder of the match that starts first (then the longest, then the
 * pattern listed first: built-ins in their documented order, then custom patterns in the order
 * given). The text is rebuilt in one pass. Each pattern runs under a
 * work budget proportional to the text ({@value #WORK_PER_CHAR} character reads per character);
 * a pattern that exceeds it, which only a catastrophically backtracking custom regex does, makes
 * {@link #redact} throw {@link RedactionException} rather than return text that may still hold
 * what it should have hidden. Instances are immutable and thread-safe.
 */
public final class Redactor {

  /** Character reads each pattern may spend per character of text. */
  public static final int WORK_PER_CHAR = 1_000;

  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_\\-]*");

  private final List<Scanner> scanners;
  private final List<String> names;

  private record Scanner(String name, String placeholder, Pattern pattern, boolean valueGroup,
      RegexScan.Acceptor acceptor) {}

  private record Span(int start, int end, int scanner) {}

  private Redactor(List<Scanner> scanners, List<String> names) {
    this.scanners = scanners;
    this.names = names;
  }

  /**
   * A redactor for the named built-in patterns plus custom ones.
   *
   * @param builtInPatterns names from {@link #builtInPatterns()}
   * @param customPatterns name to Java regex; a named group {@code value} limits the redaction
   *     to that group (e.g. {@code badge[: ]+(?<value>\d{6})} keeps the word "badge")
   * @throws IllegalArgumentException naming an unknown built-in, a bad name, a duplicate or a
   *     regex that does not compile or matches the empty text
   */
  public static Redactor of(List<String> builtInPatterns, Map<String, String> customPatterns) {
    Objects.requireNonNull(builtInPatterns, "builtInPatterns");
    Objects.requireNonNull(customPatterns, "customPatterns");
    List<Scanner> scanners = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (String name : RedactionPatterns.BUILT_INS.names()) {
      if (builtInPatterns.contains(name)) {
        names.add(name);
        for (RedactionPatterns.Rule rule : RedactionPatterns.BUILT_INS.rules(name)) {
          scanners.add(new Scanner(name, placeholder(name), rule.pattern(), false,
              rule.acceptor()));
        }
      }
    }
    for (String name : builtInPatterns) {
      if (RedactionPatterns.BUILT_INS.rules(name) == null) {
        throw new IllegalArgumentException("unknown built-in redaction pattern '" + name + "'; "
            + Suggestions.didYouMean(name, RedactionPatterns.BUILT_INS.names()));
      }
    }
    for (Map.Entry<String, String> custom : customPatterns.entrySet()) {
      String name = custom.getKey();
      if (name == null || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("custom redaction pattern name '" + name
            + "' must start with a letter and hold only letters, digits, '_' and '-'");
      }
      if (RedactionPatterns.BUILT_INS.rules(name) != null) {
        throw new IllegalArgumentException("custom redaction pattern '" + name
            + "' has the name of a built-in pattern; choose another name");
      }
      String what = "custom redaction pattern '" + name + "'";
      Pattern pattern = RegexScan.compile(what, custom.getValue(), 0);
      names.add(name);
      scanners.add(new Scanner(name, placeholder(name), pattern,
          RegexScan.declaresValueGroup(custom.getValue()), RegexScan.Acceptor.WHOLE));
    }
    return new Redactor(List.copyOf(scanners), List.copyOf(names));
  }

  /** The built-in pattern names, in precedence order. */
  public static List<String> builtInPatterns() {
    return RedactionPatterns.BUILT_INS.names();
  }

  /** The names of the patterns this redactor applies, built-ins first. */
  public List<String> patterns() {
    return names;
  }

  /**
   * Redacts {@code text}.
   *
   * @throws RedactionException when a pattern exceeds its work budget on this text
   */
  public Redaction redact(String text) {
    Objects.requireNonNull(text, "text");
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String name : names) {
      counts.put(name, 0);
    }
    List<Span> spans = new ArrayList<>();
    long budget = BoundedText.linearBudget(text, WORK_PER_CHAR);
    for (int i = 0; i < scanners.size(); i++) {
      Scanner s = scanners.get(i);
      try {
        for (RegexScan.Hit hit : RegexScan.scan(s.pattern(), s.valueGroup(), text, budget,
            s.acceptor())) {
          spans.add(new Span(hit.start(), hit.end(), i));
        }
      } catch (BoundedText.WorkExceeded e) {
        throw new RedactionException(s.name(), "redaction pattern '" + s.name() + "' needed more"
            + " than " + budget + " character reads on a text of " + text.length()
            + " characters (catastrophic backtracking?); the text was not redacted");
      }
    }
    if (spans.isEmpty()) {
      return new Redaction(text, counts);
    }
    spans.sort(Comparator.comparingInt(Span::start)
        .thenComparing(Comparator.comparingInt(Span::end).reversed())
        .thenComparingInt(Span::scanner));
    StringBuilder out = new StringBuilder(text.length());
    int written = 0;
    int i = 0;
    while (i < spans.size()) {
      Span first = spans.get(i);
      int end = first.end();
      for (i++; i < spans.size() && spans.get(i).start() < end; i++) {
        end = Math.max(end, spans.get(i).end());
      }
      Scanner s = scanners.get(first.scanner());
      out.append(text, written, first.start()).append(s.placeholder());
      counts.merge(s.name(), 1, Integer::sum);
      written = end;
    }
    out.append(text, written, text.length());
    return new Redaction(out.toString(), counts);
  }

  private static String placeholder(String name) {
    return "[" + name.toUpperCase(Locale.ROOT).replace('-', '_') + "]";
  }
}
