package io.sluice.operators.extract;

import io.sluice.operators.extract.internal.ExtractionPatterns;
import io.sluice.operators.extract.internal.Gazetteer;
import io.sluice.operators.internal.BoundedText;
import io.sluice.operators.internal.RegexScan;
import io.sluice.operators.Suggestions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds named values in text with patterns and gazetteers: measurements, part numbers, equipment
 * ids, custom regexes and lists of terms.
 *
 * <p>Design. Each name is one source: a built-in pattern (one or more regexes), a custom regex
 * or a gazetteer. Sources run independently over the original text; within a name, hits never
 * overlap (the leftmost wins, then the longest), across names they may (a {@code pump 3 bar}
 * holds the equipment {@code pump 3} and the measurement {@code 3 bar}). Results are sorted by
 * position. Confidence is fixed per kind of source, the more specific to the plant the higher:
 * {@value #GAZETTEER_CONFIDENCE} for a gazetteer term (listed by the plant),
 * {@value #CUSTOM_PATTERN_CONFIDENCE} for a custom regex (written for the plant's formats,
 * including a custom part-number regex), {@value #BUILT_IN_CONFIDENCE} for a built-in pattern
 * (generic shapes that may misfire on an unusual format). Regexes run under a work budget of
 * {@value #WORK_PER_CHAR} character reads per character of text. Instances are immutable and
 * thread-safe; build them with {@link #builder()}.
 */
public final class PatternExtractor {

  /** Confidence of a built-in pattern's hit. */
  public static final double BUILT_IN_CONFIDENCE = 0.8;
  /** Confidence of a custom regex's hit (including a custom part-number regex). */
  public static final double CUSTOM_PATTERN_CONFIDENCE = 0.9;
  /** Confidence of a gazetteer term. */
  public static final double GAZETTEER_CONFIDENCE = 0.95;
  /** Character reads each regex may spend per character of text. */
  public static final int WORK_PER_CHAR = 1_000;

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

  private static final Comparator<Extraction> ORDER = Comparator.comparingInt(Extraction::start)
      .thenComparing(Comparator.comparingInt(Extraction::end).reversed())
      .thenComparing(Extraction::name);

  private record Source(String name, List<ExtractionPatterns.Rule> rules, Gazetteer gazetteer,
      double confidence) {}

  private final List<Source> sources;

  private PatternExtractor(List<Source> sources) {
    this.sources = sources;
  }

  /** A builder with nothing configured. */
  public static Builder builder() {
    return new Builder();
  }

  /** The built-in pattern names: measurement, part_number, equipment_id. */
  public static List<String> builtInPatterns() {
    return ExtractionPatterns.BUILT_INS.names();
  }

  /** The names this extractor reports, in configuration order. */
  public List<String> names() {
    return sources.stream().map(Source::name).toList();
  }

  /**
   * Every value found in {@code text}, sorted by start, then longest first, then name.
   *
   * @throws ExtractionException when a regex exceeds its work budget on this text
   */
  public List<Extraction> extract(String text) {
    Objects.requireNonNull(text, "text");
    List<Extraction> all = new ArrayList<>();
    long budget = BoundedText.linearBudget(text, WORK_PER_CHAR);
    for (Source source : sources) {
      List<Extraction> found = new ArrayList<>();
      if (source.gazetteer() != null) {
        for (Gazetteer.Match m : source.gazetteer().find(text)) {
          found.add(new Extraction(source.name(), m.term(), m.start(), m.end(),
              source.confidence()));
        }
      }
      for (ExtractionPatterns.Rule rule : source.rules()) {
        try {
          for (RegexScan.Hit hit : RegexScan.scan(rule.pattern(), rule.valueGroup(), text,
              budget, RegexScan.Acceptor.WHOLE)) {
            found.add(new Extraction(source.name(), text.substring(hit.start(), hit.end()),
                hit.start(), hit.end(), source.confidence()));
          }
        } catch (BoundedText.WorkExceeded e) {
          throw new ExtractionException(source.name(), "extraction pattern '" + source.name()
              + "' needed more than " + budget + " character reads on a text of "
              + text.length() + " characters (catastrophic backtracking?)");
        }
      }
      all.addAll(withoutOverlaps(found));
    }
    all.sort(ORDER);
    return List.copyOf(all);
  }

  /** Keeps the leftmost, then longest, of overlapping hits of one name. */
  private static List<Extraction> withoutOverlaps(List<Extraction> found) {
    if (found.size() < 2) {
      return found;
    }
    found.sort(ORDER);
    List<Extraction> kept = new ArrayList<>();
    int end = -1;
    for (Extraction e : found) {
      if (e.start() >= end) {
        kept.add(e);
        end = e.end();
      }
    }
    return kept;
  }

  /**
   * Collects the configuration and checks all of it at {@link #build()}, reporting every
   * problem at once.
   */
  public static final class Builder {

    private final Set<String> builtIns = new LinkedHashSet<>();
    private final Map<String, String> patterns = new LinkedHashMap<>();
    private final Map<String, List<String>> gazetteers = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private String partNumberPattern;

    private Builder() {}

    /** Adds a built-in pattern by name (see {@link #builtInPatterns()}). */
    public Builder builtIn(String name) {
      if (!builtIns.add(name)) {
        problems.add("built-in extraction pattern '" + name + "' is listed twice");
      }
      return this;
    }

    /** Adds built-in patterns by name. */
    public Builder builtIns(Collection<String> names) {
      names.forEach(this::builtIn);
      return this;
    }

    /**
     * Replaces the default {@code part_number} regexes with {@code regex} (a named group
     * {@code value} selects the part number inside the match) and enables {@code part_number}.
     */
    public Builder partNumberPattern(String regex) {
      partNumberPattern = regex;
      return this;
    }

    /** Adds a custom regex; a named group {@code value} selects the value inside the match. */
    public Builder pattern(String name, String regex) {
      if (patterns.putIfAbsent(name, regex) != null) {
        problems.add("custom extraction pattern '" + name + "' is defined twice");
      }
      return this;
    }

    /** Adds a gazetteer: terms found case-insensitively as whole words, longest first. */
    public Builder gazetteer(String name, Collection<String> terms) {
      if (gazetteers.putIfAbsent(name, terms == null ? null : new ArrayList<>(terms)) != null) {
        problems.add("gazetteer '" + name + "' is defined twice");
      }
      return this;
    }

    /**
     * Builds the extractor.
     *
     * @throws IllegalArgumentException listing every problem: unknown built-ins, bad or
     *     duplicate names, regexes that do not compile or match the empty text, empty
     *     gazetteers or blank terms
     */
    public PatternExtractor build() {
      List<String> errors = new ArrayList<>(problems);
      List<Source> sources = new ArrayList<>();
      Map<String, String> owners = new LinkedHashMap<>();
      Set<String> enabled = new LinkedHashSet<>(builtIns);
      if (partNumberPattern != null) {
        enabled.add("part_number");
      }
      for (String name : enabled) {
        List<ExtractionPatterns.Rule> rules = ExtractionPatterns.BUILT_INS.rules(name);
        if (rules == null) {
          errors.add("unknown built-in extraction pattern '" + name + "'; "
              + Suggestions.didYouMean(String.valueOf(name), ExtractionPatterns.BUILT_INS.names()));
          continue;
        }
        owners.put(name, "built-in pattern");
        if (name.equals("part_number") && partNumberPattern != null) {
          Pattern p = compile("part-number pattern", partNumberPattern, errors);
          if (p != null) {
            sources.add(new Source(name, List.of(new ExtractionPatterns.Rule(p,
                RegexScan.declaresValueGroup(partNumberPattern))), null,
                CUSTOM_PATTERN_CONFIDENCE));
          }
        } else {
          sources.add(new Source(name, rules, null, BUILT_IN_CONFIDENCE));
        }
      }
      for (Map.Entry<String, String> e : patterns.entrySet()) {
        String name = e.getKey();
        if (checkName(name, "custom extraction pattern", owners, errors)) {
          Pattern p = compile("custom extraction pattern '" + name + "'", e.getValue(), errors);
          if (p != null) {
            sources.add(new Source(name, List.of(new ExtractionPatterns.Rule(p,
                RegexScan.declaresValueGroup(e.getValue()))), null, CUSTOM_PATTERN_CONFIDENCE));
          }
        }
      }
      for (Map.Entry<String, List<String>> e : gazetteers.entrySet()) {
        String name = e.getKey();
        if (!checkName(name, "gazetteer", owners, errors)) {
          continue;
        }
        List<String> terms = e.getValue();
        if (terms == null || terms.isEmpty()) {
          errors.add("gazetteer '" + name + "' has no terms");
          continue;
        }
        int blank = -1;
        for (int i = 0; i < terms.size() && blank < 0; i++) {
          if (terms.get(i) == null || terms.get(i).isBlank()) {
            blank = i;
          }
        }
        if (blank >= 0) {
          errors.add("gazetteer '" + name + "' term " + blank + " is blank");
          continue;
        }
        sources.add(new Source(name, List.of(), new Gazetteer(terms), GAZETTEER_CONFIDENCE));
      }
      if (!errors.isEmpty()) {
        throw new IllegalArgumentException(String.join("; ", errors));
      }
      return new PatternExtractor(List.copyOf(sources));
    }

    private static boolean checkName(String name, String kind, Map<String, String> owners,
        List<String> errors) {
      if (name == null || !NAME.matcher(name).matches()) {
        errors.add(kind + " name '" + name + "' must start with a letter or '_' and hold only"
            + " letters, digits and '_' (at most 64), so that rules can read fields.<name>");
        return false;
      }
      String owner = owners.putIfAbsent(name, kind);
      if (owner != null) {
        errors.add(kind + " '" + name + "' has the same name as a " + owner);
        return false;
      }
      return true;
    }

    private static Pattern compile(String what, String regex, List<String> errors) {
      try {
        return RegexScan.compile(what, regex, 0);
      } catch (IllegalArgumentException e) {
        errors.add(e.getMessage());
        return null;
      }
    }
  }
}
