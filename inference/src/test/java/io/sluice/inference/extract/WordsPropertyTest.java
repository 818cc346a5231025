package io.sluice.inference.extract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

class WordsPropertyTest {

  @Property
  void splitFindsEveryWhitespaceSeparatedWordAtItsOffsets(
      @ForAll @StringLength(max = 80) @Chars({'a', 'b', ' ', '\t', '\n', '-', '<', '>', '3'})
      String text) {
    Words words = Words.split(text);

    List<String> expected = Arrays.stream(text.split("\\s+")).filter(w -> !w.isEmpty())
        .toList();
    assertThat(words.words()).isEqualTo(expected);
    for (int i = 0; i < words.size(); i++) {
      assertThat(text.substring(words.start(i), words.end(i))).isEqualTo(words.word(i));
    }
  }

  @Property
  void preTokenizedWordsKeepTheirBoundaries(
      @ForAll @Size(max = 12) List<@StringLength(min = 1, max = 6)
          @Chars({'a', 'b', '#', '/', '.', '\''}) String> tokens) {
    Words words = Words.of(tokens);

    assertThat(words.words()).isEqualTo(tokens);
    assertThat(words.text()).isEqualTo(String.join(" ", tokens));
    for (int i = 0; i < words.size(); i++) {
      assertThat(words.span(i, i + 1)).isEqualTo(tokens.get(i));
    }
  }
}
