package io.sluice.operators.extract.internal;

import io.sluice.operators.internal.NamedTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The built-in extraction patterns, each a list of regexes whose hits share one name. Like the
 * redaction patterns, each regex starts with a lookbehind that fails inside a token, uses
 * possessive or tightly bounded quantifiers, and so does linear work. A regex may mark the value
 * with a named group {@code value}; otherwise the whole match is the value.
 */
public final class ExtractionPatterns {

  /** One regex of a built-in; {@code valueGroup} when it declares a group named value. */
  public record Rule(Pattern pattern, boolean valueGroup) {}

  /**
   * Units a measurement may carry, as written (case matters: mV is not MV). Longer units win, so
   * {@code 5 mm/s} is one measurement in mm/s rather than 5 mm.
   */
  public static final List<String> UNITS = List.of(
      // pressure
      "bar", "mbar", "barg", "psi", "psig", "Pa", "hPa", "kPa", "MPa",
      // temperature
      "°C", "°F", "℃", "℉", "degC", "degF", "K",
      // length
      "nm", "µm", "um", "mm", "cm", "m", "km", "inch", "inches", "ft",
      // electrical
      "V", "mV", "kV", "A", "mA", "kA", "W", "kW", "MW", "Wh", "kWh", "MWh", "VA", "kVA", "var",
      "Hz", "kHz", "MHz", "Ω", "kΩ", "MΩ", "ohm", "ohms",
      // speed and flow
      "rpm", "RPM", "m/s", "mm/s", "km/h", "mph", "l/min", "L/min", "l/h", "L/h", "m³/h", "m3/h",
      "gpm", "GPM",
      // mass, force, torque, volume
      "mg", "g", "kg", "N", "kN", "Nm", "lb", "lbs", "ml", "mL", "l", "L", "m³", "m3",
      // time
      "ms", "s", "sec", "min", "h", "hr", "hrs",
      // level, concentration, light
      "dB", "dBA", "dB(A)", "%", "ppm", "lux", "lx");

  private static final String NUMBER =
      "[-+]?+(?:\\d{1,3}+(?:,\\d{3})++(?:\\.\\d{1,12}+)?+|\\d{1,15}+(?:[.,]\\d{1,12}+)?+)";

  /** Nouns that, followed by a number, name a piece of equipment: {@code pump 3}. */
  public static final List<String> EQUIPMENT_NOUNS = List.of("pump", "line", "motor",
      "conveyor", "compressor", "valve", "press", "station", "tank", "boiler", "fan", "mixer",
      "robot", "cell", "oven", "furnace", "kiln", "chiller", "machine", "lathe", "mill", "crane",
      "feeder", "extruder", "generator", "turbine", "belt", "reactor", "dryer", "filter",
      "blower", "hopper", "silo", "agitator", "spindle", "heat exchanger", "cooling tower");

  /** Prefixes of standards and document ids that look like tags but are not: ISO-9001. */
  private static final String NOT_TAGS = "ISO|DIN|EN|IEC|ASTM|ANSI|RFC|UTF|PN|SN|NO|NR|REV|VER";

  /** The default {@code part_number} regexes; replaced when a custom one is configured. */
  public static final List<Rule> PART_NUMBER = List.of(
      // P/N 4471-220, PN: 4471-220, part no. 4471-220-A, Art.-Nr. 55-001
      rule("(?<![\\w/])(?i:P/N|PN|part\\s{0,3}+(?:no\\.?+|number|nr\\.?+|#)|art(?:\\.|icle)?+"
          + "-?\\s{0,3}+(?:no|nr)\\.?+)\\s{0,3}+[:#]?+\\s{0,3}+"
          + "(?<value>(?=[A-Za-z0-9./\\-]{0,30}\\d)[A-Za-z0-9][A-Za-z0-9./\\-]{0,30}"
          + "(?<=[A-Za-z0-9]))(?![A-Za-z0-9])"),
      // 4471-220-A, 4471-220-AB2: digits, digits, letters (a date has no letters)
      rule("(?<![\\w\\-/.])\\d{3,6}+-\\d{2,5}+-[A-Z]{1,3}+\\d{0,2}+(?![\\w\\-])"));

  /** Marks the end of a word in the trie; no unit or noun contains this character. */
  private static final Character END = '\u0000';

  /** The built-in patterns by name, in documentation order. */
  public static final NamedTable<Rule> BUILT_INS = new NamedTable<>(builtIns());

  private ExtractionPatterns() {}

  private static Map<String, List<Rule>> builtIns() {
    Map<String, List<Rule>> m = new LinkedHashMap<>();
    m.put("measurement", List.of(rule("(?<![\\w.,:/\\-])" + NUMBER + "[ \\u00A0\\u202F]?+"
        + alternation(UNITS) + "(?![\\p{L}\\p{N}_])")));
    m.put("part_number", PART_NUMBER);
    m.put("equipment_id", List.of(
        // ISA-style tags: P-101, TT-4021, FV-12A
        rule("(?<![\\w\\-/])(?!(?:" + NOT_TAGS + ")-)[A-Z]{1,4}+-\\d{1,5}+[A-Z]?+(?![\\w\\-])"),
        // pump 3, Line 7, compressor #2, Pump No. 4, heat exchanger 2B
        rule("(?<![\\w\\-])(?i:" + alternation(EQUIPMENT_NOUNS)
            + "\\s{0,3}+(?:#|(?:no|nr)\\.?+\\s{0,3}+)?+)\\d{1,4}+[A-Za-z]?+"
            + "(?![\\p{L}\\p{N}_]|[.,]\\d)")));
    return m;
  }

  /**
   * A regex matching any of {@code words}, written as a trie ({@code m(?:m(?:/s)?|bar)?} for
   * m, mm, mm/s, mbar) behind a lookahead on the first character, so that a position where no
   * word can start costs one read and one that can costs about one read per character of the
   * word, instead of one attempt per word. Longer words are tried first; a space in a word
   * matches one to three whitespace characters.
   */
  static String alternation(List<String> words) {
    TreeMap<Character, Object> root = new TreeMap<>();
    StringBuilder first = new StringBuilder();
    for (String word : words) {
      addWord(root, word);
      char c = word.charAt(0);
      if (first.indexOf(String.valueOf(c)) < 0) {
        first.append(Character.isLetterOrDigit(c) ? "" : "\\").append(c);
      }
    }
    return "(?=[" + first + "])" + trie(root);
  }

  @SuppressWarnings("unchecked")
  private static void addWord(TreeMap<Character, Object> root, String word) {
    TreeMap<Character, Object> node = root;
    for (int i = 0; i < word.length(); i++) {
      node = (TreeMap<Character, Object>) node.computeIfAbsent(word.charAt(i),
          c -> new TreeMap<Character, Object>());
    }
    node.put(END, Boolean.TRUE);
  }

  @SuppressWarnings("unchecked")
  private static String trie(TreeMap<Character, Object> node) {
    List<String> branches = new ArrayList<>();
    for (Map.Entry<Character, Object> e : node.entrySet()) {
      if (!e.getKey().equals(END)) {
        char c = e.getKey();
        String head = c == ' ' ? "\\s{1,3}+" : Pattern.quote(String.valueOf(c));
        branches.add(head + trie((TreeMap<Character, Object>) e.getValue()));
      }
    }
    boolean terminal = node.containsKey(END);
    if (branches.isEmpty()) {
      return "";
    }
    String joined = branches.size() == 1 && !terminal ? branches.get(0)
        : "(?:" + String.join("|", branches) + ")";
    return terminal ? joined + "?" : joined;
  }

  private static Rule rule(String regex) {
    return new Rule(Pattern.compile(regex), regex.contains("(?<value>"));
  }
}
