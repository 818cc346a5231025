package io.sluice.inference;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared data sets ({@code ../shared/data}) for tests; a test that needs one skips with a
 * message when it is absent, so a fresh clone passes.
 */
public final class SharedData {

  private static final ObjectMapper JSON = new ObjectMapper();

  private SharedData() {}

  /** A labelled text of a JSON-lines data set. */
  public record Example(String text, String label) {}

  public static Path dir() {
    return Path.of(System.getProperty("sluice.shared.dir", "../shared")).resolve("data");
  }

  /** The folder of a data set, or skips the calling test when it is absent. */
  public static Path require(String dataSet) {
    Path folder = dir().resolve(dataSet);
    assumeTrue(Files.isDirectory(folder), "Skipped: shared data set " + dataSet + " not found at "
        + folder.toAbsolutePath() + " (set -Dsluice.shared.dir)");
    return folder;
  }

  /** Reads {@code {"text": ..., "label": ...}} lines. */
  public static List<Example> jsonLines(Path file) {
    try {
      List<Example> examples = new ArrayList<>();
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank()) {
          JsonNode node = JSON.readTree(line);
          examples.add(new Example(node.get("text").asText(), node.get("label").asText()));
        }
      }
      return examples;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The texts of MaintIE's {@code train.json}. */
  public static List<String> maintieTexts(Path file) {
    try {
      List<String> texts = new ArrayList<>();
      for (JsonNode node : JSON.readTree(file.toFile())) {
        texts.add(node.get("text").asText());
      }
      return texts;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
