package io.sluice.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {

  static final List<String> WORDS = List.of("confidence", "novel", "novelty", "email", "cloud");

  @Test
  void countsInsertionsDeletionsSubstitutionsAndSwapsAsOneEditEach() {
    assertThat(Suggestions.editDistance("email", "email")).isZero();
    assertThat(Suggestions.editDistance("emial", "email")).isEqualTo(1);
    assertThat(Suggestions.editDistance("emai", "email")).isEqualTo(1);
    assertThat(Suggestions.editDistance("emaill", "email")).isEqualTo(1);
    assertThat(Suggestions.editDistance("enail", "email")).isEqualTo(1);
    assertThat(Suggestions.editDistance("", "abc")).isEqualTo(3);
    assertThat(Suggestions.editDistance("kitten", "sitting")).isEqualTo(3);
  }

  @Test
  void suggestsTheNearestWithinAThirdOfTheWord() {
    assertThat(Suggestions.nearest("confidance", WORDS)).isEqualTo("confidence");
    assertThat(Suggestions.nearest("Cloud", WORDS)).isEqualTo("cloud");
    assertThat(Suggestions.nearest("noevl", WORDS)).isEqualTo("novel");
    assertThat(Suggestions.nearest("zzzz", WORDS)).isNull();
    assertThat(Suggestions.didYouMean("zzzz", List.of("a", "b")))
        .isEqualTo("expected one of: a, b");
  }
}
