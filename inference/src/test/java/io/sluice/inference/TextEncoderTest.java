package io.sluice.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextEncoderTest extends EncoderFixture {

  private static final List<String> TEXTS = List.of(
      "breaker tripped on line 3",
      "bearing noise on pump 7, vibration rising since the night shift started",
      "ok",
      "what is the weather like in new york city tomorrow morning and will it rain");

  @Test
  void embedsIntoUnitVectorsOfTheManifestsDimension() {
    float[][] vectors = encoder.embed(TEXTS);

    assertThat(vectors).hasNumberOfRows(4);
    for (float[] vector : vectors) {
      assertThat(vector).hasSize(384);
      assertThat(norm(vector)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    }
    assertThat(cosine(vectors[0], vectors[1])).isLessThan(0.9);
  }

  @Test
  void padsEachBatchToItsOwnLongestTextNotToAFixedLength() {
    List<TokenizedText> tokens = encoder.tokenize(List.of("ok", "breaker tripped"));

    assertThat(tokens.get(0).length()).isEqualTo(3);
    assertThat(TokenizedBatch.pack(tokens).paddedLength()).isEqualTo(tokens.get(1).length());
    assertThat(TokenizedBatch.pack(tokens).paddedLength()).isLessThan(128);
  }

  @Test
  void truncatesAtTheBundlesMaxTokensAndCountsIt() {
    double before = truncations();
    String longText = "pump ".repeat(400);

    TokenizedText tokens = encoder.tokenize(longText);

    assertThat(tokens.length()).isEqualTo(256);
    assertThat(tokens.truncated()).isTrue();
    assertThat(truncations()).isEqualTo(before + 1);
    assertThat(encoder.embed(longText)).hasSize(384);
  }

  @Test
  void aTextsVectorDoesNotDependOnItsBatchMates() {
    assertThat(encoder.batchInvariant()).isTrue();
    float[] alone = encoder.embed(TEXTS.get(0));
    List<String> batch = new ArrayList<>(TEXTS);
    batch.add("an alarm text with some unusual tokens: 0x7f, 42 kPa, ### overflow ###");

    float[] inBatch = encoder.embed(batch)[0];

    assertThat(cosine(alone, inBatch)).isGreaterThan(0.99999);
  }

  @Test
  void recordsBatchMeters() {
    encoder.embed(TEXTS);

    assertThat(registry.get(InferenceMeter.BATCH_SIZE.meterName()).summary().count())
        .isGreaterThan(0);
    assertThat(registry.get(InferenceMeter.PADDING_RATIO.meterName()).summary().max())
        .isBetween(0.0, 1.0);
    assertThat(registry.get(InferenceMeter.INFERENCE_TIME.meterName()).timer().count())
        .isGreaterThan(0);
  }

  @Test
  void refusesNullTextsNamingTheModelAndIndex() {
    List<String> texts = new ArrayList<>();
    texts.add("fine");
    texts.add(null);

    assertThatThrownBy(() -> encoder.embed(texts))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("all-minilm-l6-v2-q@1.0.0")
        .hasMessageContaining("text 1 of 2");
  }

  @Test
  void twoSessionsGiveTheSameVectorsAsOne() {
    EncoderSettings two = EncoderSettings.DEFAULT.withSessions(2, SessionSettings.threads(1))
        .withBatching(BatchLimits.DEFAULT.withMaxBatchSize(2));
    try (TextEncoder parallel = TextEncoder.open(encoder.bundle(), two, registry)) {
      float[][] a = parallel.embed(TEXTS);
      float[][] b = encoder.embed(TEXTS);
      for (int i = 0; i < TEXTS.size(); i++) {
        assertThat(cosine(a[i], b[i])).isGreaterThan(0.99999);
      }
    }
  }

  private static double truncations() {
    return registry.get(InferenceMeter.TRUNCATIONS.meterName()).counter().count();
  }

  static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x * x;
    }
    return Math.sqrt(s);
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
    }
    return dot / (norm(a) * norm(b));
  }
}
