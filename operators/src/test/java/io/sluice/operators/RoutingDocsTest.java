package io.sluice.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.operators.extract.PatternExtractor;
import io.sluice.operators.extract.internal.ExtractionPatterns;
import io.sluice.operators.redact.Redactor;
import io.sluice.operators.route.Expression;
import io.sluice.schemas.ForwardReason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Keeps docs/routing.md in step with the vocabulary the code accepts. */
class RoutingDocsTest {

  static String doc;

  @BeforeAll
  static void read() throws IOException {
    Path path = Path.of("..", "docs", "routing.md");
    Assumptions.assumeTrue(Files.exists(path), "docs/routing.md not found from " + Path.of("")
        .toAbsolutePath() + "; skipping the documentation check");
    doc = Files.readString(path);
  }

  @Test
  void everyIdentifierIsDocumented() {
    for (String id : Expression.knownIdentifiers()) {
      assertThat(doc).as(id).contains("| `" + id + "` |");
    }
  }

  @Test
  void everyForwardReasonIsDocumented() {
    for (ForwardReason reason : ForwardReason.values()) {
      assertThat(doc).as(reason.name()).contains("`" + reason.name() + "`");
    }
  }

  @Test
  void everyBuiltInPatternIsDocumented() {
    for (String name : Redactor.builtInPatterns()) {
      assertThat(doc).as(name).contains("| `" + name + "` |");
    }
    for (String name : PatternExtractor.builtInPatterns()) {
      assertThat(doc).as(name).contains("**`" + name + "`**");
    }
  }

  @Test
  void everyUnitAndEquipmentNounIsDocumented() {
    for (String unit : ExtractionPatterns.UNITS) {
      assertThat(doc).as(unit).contains("`" + unit + "`");
    }
    for (String noun : ExtractionPatterns.EQUIPMENT_NOUNS) {
      assertThat(doc).as(noun).containsPattern("\\b" + noun + "[,.]");
    }
  }

  @Test
  void theDocumentedConfidencesAreTheOnesUsed() {
    assertThat(doc).contains("| gazetteer term | " + PatternExtractor.GAZETTEER_CONFIDENCE + " |")
        .contains("| custom regex, including a custom `part_number` regex | "
            + String.format("%.2f", PatternExtractor.CUSTOM_PATTERN_CONFIDENCE) + " |")
        .contains("| built-in pattern | " + String.format("%.2f",
            PatternExtractor.BUILT_IN_CONFIDENCE) + " |");
  }
}
