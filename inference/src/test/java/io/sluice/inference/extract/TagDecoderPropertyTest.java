package io.sluice.inference.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.inference.extract.internal.TagDecoder;
import io.sluice.inference.extract.internal.TagScheme;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class TagDecoderPropertyTest {

  private static final TagScheme BIO = TagScheme.bio(List.of("Phys", "Act"));
  private static final TagScheme IOBES = TagScheme.of(List.of("O", "B-Phys", "I-Phys",
      "E-Phys", "S-Phys", "B-Act", "I-Act", "E-Act", "S-Act"));

  @Property
  void bioPathsAreLegalAndSpansWellFormed(@ForAll @IntRange(min = 0, max = 15) int words,
      @ForAll long seed) {
    checkLegal(BIO, random(words, BIO.size(), seed));
  }

  @Property
  void iobesPathsAreLegalAndSpansWellFormed(@ForAll @IntRange(min = 0, max = 15) int words,
      @ForAll long seed) {
    checkLegal(IOBES, random(words, IOBES.size(), seed));
  }

  private static void checkLegal(TagScheme scheme, float[][] probabilities) {
    TagDecoder.Decoded decoded = TagDecoder.decode(scheme, probabilities);
    int[] tags = decoded.tags();
    assertThat(tags).hasSize(probabilities.length);
    if (tags.length > 0) {
      assertThat(scheme.canStart(tags[0])).isTrue();
      assertThat(scheme.canEnd(tags[tags.length - 1])).isTrue();
    }
    for (int w = 1; w < tags.length; w++) {
      assertThat(scheme.allowed(tags[w - 1], tags[w])).isTrue();
    }
    int end = 0;
    double lowest = 1;
    for (int w = 0; w < tags.length; w++) {
      lowest = Math.min(lowest, probabilities[w][tags[w]]);
    }
    assertThat(decoded.confidence()).isCloseTo(lowest, org.assertj.core.data.Offset.offset(1e-6));
    for (TagDecoder.Span span : decoded.spans()) {
      assertThat(span.start()).isGreaterThanOrEqualTo(end);
      assertThat(span.end()).isGreaterThan(span.start()).isLessThanOrEqualTo(tags.length);
      assertThat(span.confidence()).isBetween(decoded.confidence(), 1.0);
      end = span.end();
    }
  }

  @Example
  void anInsideTagNeverOpensAnEntity() {
    // The argmax path is O I-Phys I-Phys; the legal best is O B-Phys I-Phys.
    float[][] p = {
        row(0.9f, 0.05f, 0.05f, 0, 0),
        row(0.05f, 0.3f, 0.65f, 0, 0),
        row(0.05f, 0.05f, 0.9f, 0, 0)};
    TagDecoder.Decoded decoded = TagDecoder.decode(BIO, p);
    assertThat(decoded.spans()).containsExactly(new TagDecoder.Span(1, 3, "Phys", 0.3f));
  }

  @Example
  void iobesEntitiesMustBeClosed() {
    float[][] p = new float[2][IOBES.size()];
    p[0][IOBES.indexOf("B-Act")] = 0.6f;
    p[0][IOBES.indexOf("S-Act")] = 0.4f;
    p[1][IOBES.indexOf("I-Act")] = 0.7f; // an entity may not end on I-
    p[1][IOBES.indexOf("E-Act")] = 0.3f;
    TagDecoder.Decoded decoded = TagDecoder.decode(IOBES, p);
    assertThat(decoded.spans()).extracting(TagDecoder.Span::start, TagDecoder.Span::end)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(0, 2));
  }

  @Example
  void iobesOfTypesListsOThenEachTypesFourTags() {
    assertThat(TagScheme.iobes(List.of("Phys", "Act")).tags()).isEqualTo(IOBES.tags());
  }

  @Example
  void rejectsTagsThatAreNotBioOrIobes() {
    assertThatThrownBy(() -> TagScheme.of(List.of("O", "X-Thing")))
        .hasMessageContaining("'X-Thing'").hasMessageContaining("expected B, I, E, S, L or U");
    assertThatThrownBy(() -> TagScheme.of(List.of("O", "PER")))
        .hasMessageContaining("'PER' is not O or <B|I|E|S|L|U>-<type>");
  }

  private static float[] row(float... values) {
    return values;
  }

  private static float[][] random(int words, int tags, long seed) {
    Random random = new Random(seed);
    float[][] p = new float[words][tags];
    for (float[] row : p) {
      float sum = 0;
      for (int t = 0; t < tags; t++) {
        row[t] = random.nextFloat() + 1e-3f;
        sum += row[t];
      }
      for (int t = 0; t < tags; t++) {
        row[t] /= sum;
      }
    }
    return p;
  }
}
