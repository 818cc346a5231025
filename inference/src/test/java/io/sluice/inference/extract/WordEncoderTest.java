package io.sluice.inference.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.inference.InferenceException;
import io.sluice.inference.ModelBundle;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WordEncoderTest {

  static SimpleMeterRegistry registry;
  static WordEncoder encoder;

  @BeforeAll
  static void open() {
    registry = new SimpleMeterRegistry();
    encoder = WordEncoder.open(ModelBundle.load(ModelBundle.DEFAULT),
        WordEncoderSettings.DEFAULT, registry);
  }

  @AfterAll
  static void close() {
    encoder.close();
  }

  @Test
  void givesOneStatePerWordWhateverItsSubTokens() {
    Words words = Words.of(List.of("<id>", "air", "conditioner", "thermostat", "u/s"));

    WordStates states = encoder.encode(words);

    assertThat(states.size()).isEqualTo(5);
    assertThat(states.truncated()).isFalse();
    assertThat(states.tokens()).isGreaterThan(words.size() + 2); // "thermostat" is 4 pieces
    for (float[] vector : states.vectors()) {
      assertThat(vector).hasSize(encoder.dimension());
      assertThat(norm(vector)).isGreaterThan(0);
    }
    assertThat(encoder.batchInvariant()).isTrue();
    assertThat(registry.find("sluice.inference.texts").tag("model",
        encoder.modelId() + "/words").counter().count()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void aTextsStatesDoNotDependOnItsBatchMates() {
    List<Words> texts = List.of(Words.split("replace hyd pump seal"),
        Words.split("<id> left hand rear brake caliper leaking badly from the piston seal"),
        Words.split("air horn u/s"));
    List<WordStates> together = encoder.encode(texts);
    for (int i = 0; i < texts.size(); i++) {
      WordStates alone = encoder.encode(texts.get(i));
      for (int w = 0; w < alone.size(); w++) {
        assertThat(together.get(i).vectors()[w])
            .containsExactly(alone.vectors()[w], org.assertj.core.data.Offset.offset(1e-4f));
      }
    }
  }

  @Test
  void firstSubTokenPoolingDiffersFromMeanOnlyForSplitWords() {
    try (WordEncoder first = WordEncoder.open(ModelBundle.load(ModelBundle.DEFAULT),
        WordEncoderSettings.DEFAULT.withPooling(SubwordPooling.FIRST), new SimpleMeterRegistry())) {
      Words words = Words.of(List.of("pump", "thermostat"));
      WordStates mean = encoder.encode(words);
      WordStates firstPiece = first.encode(words);
      assertThat(firstPiece.vectors()[0]).containsExactly(mean.vectors()[0],
          org.assertj.core.data.Offset.offset(1e-6f));
      assertThat(distance(firstPiece.vectors()[1], mean.vectors()[1])).isGreaterThan(0.01);
    }
  }

  @Test
  void refusesLayersTheModelDoesNotHave() {
    assertThatThrownBy(() -> WordEncoder.open(ModelBundle.load(ModelBundle.DEFAULT),
        WordEncoderSettings.DEFAULT.withLayers(List.of(9)), new SimpleMeterRegistry()))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("has no hidden layer 9")
        .hasMessageContaining("[0, 1, 2, 3, 4, 5] and 6 (the last)");
  }

  @Test
  void theLastLayerIsTheModelsOutput() {
    try (WordEncoder last = WordEncoder.open(ModelBundle.load(ModelBundle.DEFAULT),
        WordEncoderSettings.DEFAULT.withLayers(List.of(WordEncoderSettings.LAST)),
        new SimpleMeterRegistry());
        WordEncoder six = WordEncoder.open(ModelBundle.load(ModelBundle.DEFAULT),
            WordEncoderSettings.DEFAULT.withLayers(List.of(6)), new SimpleMeterRegistry())) {
      Words words = Words.split("oil leak on gearbox");
      assertThat(last.encode(words).vectors()[2]).containsExactly(six.encode(words).vectors()[2],
          org.assertj.core.data.Offset.offset(1e-6f));
    }
  }

  @Test
  void wordsPastTheMaxTokensAreMarkedTruncated() {
    String longText = "pump ".repeat(400);
    WordStates states = encoder.encode(Words.split(longText));
    assertThat(states.truncated()).isTrue();
    assertThat(states.coveredWords()).isLessThan(400).isGreaterThan(100);
    assertThat(norm(states.vectors()[399])).isZero();
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x * x;
    }
    return Math.sqrt(s);
  }

  private static double distance(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return Math.sqrt(s) / Math.max(norm(a), 1e-9);
  }
}
