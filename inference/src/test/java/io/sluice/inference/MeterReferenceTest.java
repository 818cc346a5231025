package io.sluice.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The meter table of docs/inference.md lists every meter with the enum's type and unit. */
class MeterReferenceTest {

  @Test
  void theDocumentedMeterTableMatchesTheEnum() throws Exception {
    Path doc = Path.of("../docs/inference.md");
    assumeTrue(Files.exists(doc), "Skipped: docs/inference.md not found from " + Path.of("")
        .toAbsolutePath());
    String text = Files.readString(doc);

    for (InferenceMeter meter : InferenceMeter.values()) {
      String row = "| `" + meter.meterName() + "` | " + meter.type().name().toLowerCase()
          + " | " + meter.baseUnit() + " |";
      assertThat(text).as("docs/inference.md row for " + meter).contains(row);
    }
  }
}
