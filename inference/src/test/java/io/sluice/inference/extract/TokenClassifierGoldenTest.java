package io.sluice.inference.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tiny token classifier of {@code ../shared/models} (an Optimum-style export folder with
 * random weights): our tokenization, alignment and argmax reproduce its {@code golden.json}, and
 * decoding turns its tags into well-formed entities.
 */
class TokenClassifierGoldenTest {

  private static Path folder;
  private static TokenClassifier classifier;

  @BeforeAll
  static void open() {
    folder = Path.of(System.getProperty("sluice.shared.dir", "../shared"), "models",
        "tiny-token-classifier");
    assumeTrue(Files.isRegularFile(folder.resolve("golden.json")),
        "Skipped: the tiny token classifier is not at " + folder.toAbsolutePath()
            + " (set -Dsluice.shared.dir)");
    classifier = TokenClassifier.open(folder.toString());
  }

  @AfterAll
  static void close() {
    if (classifier != null) {
      classifier.close();
    }
  }

  @Test
  void reproducesTheGoldenTokensIdsAndLabels() throws IOException {
    JsonNode golden = new ObjectMapper().readTree(folder.resolve("golden.json").toFile());
    List<TokenLabel> labels = classifier.tokenLabels(Words.split(golden.get("text").asText()));

    assertThat(labels).extracting(TokenLabel::token).containsExactlyElementsOf(strings(
        golden.get("tokens")));
    assertThat(labels).extracting(TokenLabel::id).containsExactlyElementsOf(longs(
        golden.get("input_ids")));
    assertThat(labels).extracting(TokenLabel::label).containsExactlyElementsOf(strings(
        golden.get("argmax_labels")));
    assertThat(labels).extracting(TokenLabel::word).containsExactly(-1, 0, 1, 2, 3, 3, -1);
  }

  @Test
  void readsItsLabelsFromConfig() {
    assertThat(classifier.labels()).hasSize(11).startsWith("O", "B-PhysicalObject");
    assertThat(classifier.entityTypes()).containsExactly("PhysicalObject", "Activity", "State",
        "Process", "Property");
  }

  @Test
  void decodesWellFormedEntitiesWithConfidences() {
    Words words = Words.split("  replace hydraulic   pump seal on <id> ");
    EntityResult result = classifier.extract(List.of(words)).get(0);

    assertThat(result.tokens()).isGreaterThan(words.size());
    assertThat(result.confidence()).isBetween(0.0, 1.0);
    for (Entity entity : result.entities()) {
      assertThat(entity.text()).isEqualTo(words.text().substring(entity.start(), entity.end()));
      assertThat(entity.text()).doesNotStartWith(" ").doesNotEndWith(" ");
      assertThat(classifier.entityTypes()).contains(entity.type());
      assertThat(entity.confidence()).isBetween(0.0, 1.0)
          .isGreaterThanOrEqualTo(result.confidence());
    }
    for (int i = 1; i < result.entities().size(); i++) {
      assertThat(result.entities().get(i).firstWord())
          .isGreaterThanOrEqualTo(result.entities().get(i - 1).endWord());
    }
  }

  @Test
  void aBatchGivesWhatEachTextGivesAlone() {
    List<Words> texts = List.of(Words.split("replace hydraulic pump seal"),
        Words.split("air horn not working"), Words.split("<id> change out left hand brake hose"));
    List<EntityResult> together = classifier.extract(texts);
    for (int i = 0; i < texts.size(); i++) {
      EntityResult alone = classifier.extract(List.of(texts.get(i))).get(0);
      assertThat(together.get(i).entities()).extracting(Entity::span)
          .containsExactlyElementsOf(alone.entities().stream().map(Entity::span).toList());
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static List<Long> longs(JsonNode array) {
    List<Long> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asLong()));
    return out;
  }
}
