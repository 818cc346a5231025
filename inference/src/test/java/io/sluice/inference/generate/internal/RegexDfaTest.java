package io.sluice.inference.generate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The byte automaton of a pattern agrees with java.util.regex on whole-string matches. */
class RegexDfaTest {

  private static final String[] PATTERNS = {
    "a|b",
    "(ab)*c?",
    "[a-c]+x{2,3}",
    "\\d{3}-\\d{4}",
    "(?:yes|no|maybe)",
    "[^ab]*",
    "é+|ü?ñ",
    "\\w+@\\w+\\.com",
    "(a|ab)(c|bcd)(d*)",
    "[\\-a]+",
    "x{0,2}y{3}",
    ".{2}",
    "\\s*(true|false)\\s*",
    "(a*)*b",
    "[A-Z][a-z]{0,5}( [A-Z][a-z]{0,5})?",
    "\\u00e9|\\x41",
  };

  @Provide
  Arbitrary<String> inputs() {
    return Arbitraries.strings().withChars("abcdxy-@.ABCZ0159 éüñ\n").ofMaxLength(9);
  }

  @Property(tries = 400)
  void agreesWithJavaRegex(@ForAll("inputs") String input,
      @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 15) int which) {
    String pattern = PATTERNS[which];
    ByteDfa dfa = ByteDfa.compile(RegexParser.parse(pattern));
    assertThat(dfa.matches(input.getBytes(StandardCharsets.UTF_8)))
        .as("/%s/ on '%s'", pattern, input)
        .isEqualTo(Pattern.compile(pattern).matcher(input).matches());
  }

  @Property(tries = 200)
  void everyStringTheAutomatonAcceptsMatchesJavaRegex(
      @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 15) int which,
      @ForAll long seed) {
    String pattern = PATTERNS[which];
    String sample = RandomWalk.accepted(dfa(pattern), new java.util.Random(seed), 12);
    assertThat(Pattern.compile(pattern).matcher(sample).matches())
        .as("/%s/ on '%s'", pattern, sample).isTrue();
  }

  @Test
  void positiveExamplesMatch() {
    assertThat(dfa("\\d{3}-\\d{4}").matches(bytes("555-1234"))).isTrue();
    assertThat(dfa("\\w+@\\w+\\.com").matches(bytes("ops@plant.com"))).isTrue();
    assertThat(dfa("é+|ü?ñ").matches(bytes("üñ"))).isTrue();
    assertThat(dfa("^(ab)*$").matches(bytes("abab"))).isTrue();
  }

  @Test
  void distanceIsTheShortestCompletion() {
    ByteDfa dfa = dfa("abc|de|fgh");
    assertThat(dfa.distance(dfa.start())).isEqualTo(2);
    assertThat(dfa.distance(dfa.run(dfa.start(), bytes("f")))).isEqualTo(2);
    assertThat(dfa.distance(dfa.run(dfa.start(), bytes("fgh")))).isZero();
    assertThat(dfa.canContinue(dfa.run(dfa.start(), bytes("fgh")))).isFalse();
    assertThat(dfa("é").distance(0)).as("bytes, not characters").isEqualTo(2);
  }

  @Test
  void refusesWhatNoAutomatonCanDo() {
    assertThatThrownBy(() -> RegexParser.parse("(a)\\1")).hasMessageContaining("\\1")
        .hasMessageContaining("position");
    assertThatThrownBy(() -> RegexParser.parse("(?=a)b")).hasMessageContaining("look-around");
    assertThatThrownBy(() -> RegexParser.parse("a{3,2}")).hasMessageContaining("max < min");
    assertThatThrownBy(() -> RegexParser.parse("(ab")).hasMessageContaining("not closed");
    assertThatThrownBy(() -> RegexParser.parse("*a")).hasMessageContaining("nothing to repeat");
  }

  @Test
  void refusesAutomataThatWouldExplode() {
    assertThatThrownBy(() -> dfa("(a|b)*a(a|b){20}")).hasMessageContaining("too complex");
  }

  private static ByteDfa dfa(String pattern) {
    return ByteDfa.compile(RegexParser.parse(pattern));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
