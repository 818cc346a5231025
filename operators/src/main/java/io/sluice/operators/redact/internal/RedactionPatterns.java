package io.sluice.operators.redact.internal;

import io.sluice.operators.internal.NamedTable;
import io.sluice.operators.internal.RegexScan.Acceptor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The built-in redaction patterns. Each is a regular expression that finds candidates plus an
 * acceptor that checks what a regex cannot (check digits, address syntax, digit counts) and may
 * shorten a candidate to its longest valid prefix ending at a group boundary. Every regex is
 * written to do linear work: each starts with a lookbehind that fails inside a token, so a match
 * is attempted only at token starts; quantifiers are possessive; repeated groups and runs have
 * small upper bounds (the JDK's engine recurses once per repetition of a group), so a candidate is
 * never longer than a few hundred characters and its acceptor does constant work.
 *
 * <p>Phone numbers have no check digit, so the {@code phone} pattern accepts only shapes that
 * plain numbers rarely take: a leading {@code +} or {@code 00} country code (8 to 15 digits), an
 * area code in parentheses (7 to 12 digits), the North American 3-3-4 grouping with one
 * separator, or a national number that starts with a trunk {@code 0} and uses one separator
 * throughout (9 to 12 digits). Dates, measurements, decimals and part numbers such as
 * {@code 4471-220} take none of these shapes.
 */
public final class RedactionPatterns {

  /** One built-in pattern: the regex that finds candidates and the acceptor that checks them. */
  public record Rule(String name, Pattern pattern, Acceptor acceptor) {}

  private static final Acceptor WHOLE = Acceptor.WHOLE;

  /**
   * A group of digits in a phone number; not one followed by a letter or colon, which starts
   * something else (a MAC address, a time, a unit).
   */
  private static final String GROUP = "\\d{1,15}+(?![:A-Za-z])";

  /** The built-in patterns by name, in documentation order. */
  public static final NamedTable<Rule> BUILT_INS = new NamedTable<>(builtIns());

  private RedactionPatterns() {}

  private static Map<String, List<Rule>> builtIns() {
    Map<String, List<Rule>> m = new LinkedHashMap<>();
    m.put("email", List.of(rule("email",
        "(?<![A-Za-z0-9._%+\\-])[A-Za-z0-9][A-Za-z0-9._%+\\-]{0,63}+@"
            + "(?:[A-Za-z0-9][A-Za-z0-9\\-]{0,62}+(?<!-)\\.){1,8}[A-Za-z]{2,63}+"
            + "(?![A-Za-z0-9\\-])", WHOLE)));
    m.put("iban", List.of(rule("iban",
        "(?<![A-Za-z0-9])[A-Z]{2}\\d{2}(?: ?+[A-Z0-9]{4}+){2,7}+(?: ?+[A-Z0-9]{1,3}+)?+",
        (text, start, end) -> longestValidPrefix(text, start, end, Checks::iban))));
    m.put("credit-card", List.of(rule("credit-card",
        "(?<![\\w\\-])[2-6](?:[ \\-]?+\\d){12,24}+",
        (text, start, end) -> longestValidPrefix(text, start, end,
            s -> digits(s) >= 13 && digits(s) <= 19 && Checks.luhn(s)))));
    m.put("ip", List.of(
        rule("ip", "(?<![\\w.])(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}"
            + "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(?:/(?:3[0-2]|[12]?\\d))?+"
            + "(?![\\w]|\\.\\d)", WHOLE),
        rule("ip", "(?<![\\w:.%])(?=[0-9A-Fa-f]{0,4}+:)[0-9A-Fa-f:.]{2,46}+(?![0-9A-Fa-f:.])"
            + "(?:%[0-9A-Za-z._~\\-]{1,32}+)?+", RedactionPatterns::acceptIpv6)));
    m.put("mac", List.of(rule("mac",
        "(?<![\\w:\\-.])[0-9A-Fa-f]{2}([:\\-])[0-9A-Fa-f]{2}(?:\\1[0-9A-Fa-f]{2}){4}"
            + "(?![\\w]|[:\\-][0-9A-Fa-f])", WHOLE)));
    m.put("phone", List.of(
        // +49 89 1234567, +1 (555) 123-4567, 0049 (0)89 1234567: a parenthesised group only
        // right after the country code, so a phone does not run into the next one
        rule("phone", "(?<![\\w+])(?:\\+|00(?=[1-9]\\d{0,2}[ \\u00A0(]))\\d{1,3}+"
            + "(?:[ \\u00A0]?\\(\\d{1,4}+\\))?+(?:[ \\u00A0.\\-/]?+" + GROUP + "){0,7}+",
            phone(8, 15)),
        // (555) 123-4567, (089) 1234567
        rule("phone", "(?<![\\w)])\\(\\d{2,5}+\\)[ \\u00A0]?" + GROUP
            + "(?:[ \\u00A0.\\-]" + GROUP + "){0,4}+", phone(7, 12)),
        // 555-123-4567, 555.123.4567, 555 123 4567
        rule("phone", "(?<![\\w.\\-+/])\\d{3}([.\\- \\u00A0])\\d{3}\\1\\d{4}"
            + "(?![\\w]|[.,\\-/]\\d)", WHOLE),
        // 089 1234 5678, 06 12 34 56 78, 030/1234567, 0171-1234567: one separator throughout
        rule("phone", "(?<![\\w.\\-+/])0\\d{1,4}+([ \\u00A0\\-/])" + GROUP
            + "(?:\\1" + GROUP + "){0,4}+", phone(9, 12))));
    return m;
  }

  private static Rule rule(String name, String regex, Acceptor acceptor) {
    return new Rule(name, Pattern.compile(regex), acceptor);
  }

  /** Phone candidates: the longest prefix with {@code min} to {@code max} significant digits. */
  private static Acceptor phone(int min, int max) {
    return (text, start, end) -> longestValidPrefix(text, start, end, s -> {
      int d = digits(s) - (s.startsWith("00") ? 2 : 0) - (s.contains("(0)") ? 1 : 0);
      return d >= min && d <= max;
    });
  }

  /**
   * IPv6 candidates are runs of hex digits, colons and dots: drop a trailing sentence dot or
   * colon, validate, and keep a zone ({@code %eth0}) only on a valid address.
   */
  private static int acceptIpv6(String text, int start, int end) {
    int zone = text.indexOf('%', start);
    int addressEnd = zone >= 0 && zone < end ? zone : end;
    int e = addressEnd;
    while (e > start) {
      String address = text.substring(start, e);
      if (Checks.ipv6(address)) {
        if (e < text.length() && Character.isLetterOrDigit(text.charAt(e))) {
          return -1;
        }
        return e == addressEnd ? end : e;
      }
      char last = text.charAt(e - 1);
      if (last != '.' && !(last == ':' && !address.endsWith("::"))) {
        return -1;
      }
      e--;
    }
    return -1;
  }

  /**
   * The end of the longest prefix of {@code text[start, end)} that ends at a group boundary (a
   * letter or digit not followed by one) and passes {@code valid}; -1 when none does.
   */
  static int longestValidPrefix(String text, int start, int end, Predicate<String> valid) {
    List<Integer> ends = new ArrayList<>();
    for (int e = end; e > start; e--) {
      boolean boundary = Character.isLetterOrDigit(text.charAt(e - 1))
          && (e == text.length() || !Character.isLetterOrDigit(text.charAt(e)));
      if (boundary) {
        ends.add(e);
      }
    }
    for (int e : ends) {
      if (valid.test(text.substring(start, e))) {
        return e;
      }
    }
    return -1;
  }

  private static int digits(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        n++;
      }
    }
    return n;
  }
}
