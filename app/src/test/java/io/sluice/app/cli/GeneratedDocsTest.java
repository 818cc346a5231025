package io.sluice.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The committed generated files must match the declarations they are generated from. */
class GeneratedDocsTest {

  @Test
  void committedReferenceFilesAreUpToDate() throws Exception {
    Path root = Path.of("..");
    for (Map.Entry<String, String> f : DocsCommand.generated().entrySet()) {
      Path file = root.resolve(f.getKey());
      assertThat(file).as("%s is missing: run bin/sluice docs", f.getKey()).exists();
      assertThat(Files.readString(file, StandardCharsets.UTF_8))
          .as("%s is out of date: run bin/sluice docs", f.getKey())
          .isEqualTo(f.getValue());
    }
  }
}
