package io.sluice.operators.extract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of extraction over texts assembled from fragments and over arbitrary strings. */
class ExtractionPropertiesTest {

  static final List<String> TERMS = List.of("valve", "relief valve", "pressure relief valve",
      "O-ring", "bearing", "cooling water", "water pump", "pump", "3/4 inch valve");

  static final PatternExtractor EXTRACTOR = PatternExtractor.builder()
      .builtIns(PatternExtractor.builtInPatterns())
      .pattern("work_order", "WO[- ]?(?<value>\\d{4,8})")
      .pattern("code", "[A-Z]\\d{3}")
      .gazetteer("component", TERMS)
      .build();

  @Provide
  Arbitrary<String> texts() {
    Arbitrary<String> fragment = Arbitraries.oneOf(
        Arbitraries.of(TERMS),
        Arbitraries.of(TERMS).map(t -> t.toUpperCase(Locale.ROOT)),
        Arbitraries.of("12.5 bar", "3mm", "240 V", "75%", "1,200 rpm", "P/N 4471-220",
            "4471-220-A", "P-101", "pump 3", "line 7", "WO-4711", "A123", "2026-11-22", "leak",
            "pumps", "valves", "x", "-", "/", ".", "#", "no."),
        Arbitraries.strings().withChars("abcP-/.0123456789 %:#").ofMaxLength(6));
    return Combinators.combine(fragment.list().ofMaxSize(15), Arbitraries.of(" ", "  ", ", ", ""))
        .as((parts, sep) -> String.join(sep, parts));
  }

  @Property(tries = 1_000)
  void spansLieInsideTheTextAndSpellTheirValues(@ForAll("texts") String text) {
    check(text, EXTRACTOR.extract(text));
  }

  @Property(tries = 500)
  void arbitraryTextNeverBreaksTheExtractor(@ForAll String text) {
    check(text, EXTRACTOR.extract(text));
  }

  @Property(tries = 300)
  void theOrderOfGazetteerTermsDoesNotMatter(@ForAll("texts") String text, @ForAll long seed) {
    List<String> shuffled = new ArrayList<>(TERMS);
    Collections.shuffle(shuffled, new Random(seed));
    PatternExtractor other = PatternExtractor.builder().gazetteer("component", shuffled)
        .build();
    PatternExtractor original = PatternExtractor.builder().gazetteer("component", TERMS)
        .build();
    assertThat(other.extract(text)).isEqualTo(original.extract(text));
  }

  static void check(String text, List<Extraction> found) {
    for (int i = 0; i < found.size(); i++) {
      Extraction e = found.get(i);
      assertThat(e.start()).isBetween(0, text.length() - 1);
      assertThat(e.end()).isBetween(e.start() + 1, text.length());
      String span = text.substring(e.start(), e.end());
      if (e.name().equals("component")) {
        assertThat(normalized(span)).isEqualTo(normalized(e.value()));
      } else {
        assertThat(span).isEqualTo(e.value());
      }
      if (i > 0) {
        Extraction before = found.get(i - 1);
        assertThat(before.start()).isLessThanOrEqualTo(e.start());
      }
      for (int j = i + 1; j < found.size(); j++) {
        Extraction other = found.get(j);
        if (other.name().equals(e.name())) {
          assertThat(other.start() >= e.end() || other.end() <= e.start())
              .as("%s overlaps %s", e, other).isTrue();
        }
      }
    }
  }

  private static String normalized(String s) {
    return s.replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
  }
}
