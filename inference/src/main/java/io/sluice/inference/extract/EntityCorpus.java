package io.sluice.inference.extract;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.inference.internal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads labelled texts in MaintIE's JSON format: an array of
 * {@code {"text": ..., "tokens": [...], "entities": [{"start": 1, "end": 3, "type": "A/B"}]}},
 * spans in token indices, end exclusive; other keys (such as {@code relations}) are ignored. The
 * tokens are the words (their boundaries are kept); {@code text} is not used, because MaintIE's
 * tokens are sometimes normalized spellings of it.
 */
public final class EntityCorpus {

  private EntityCorpus() {}

  /**
   * Reads a MaintIE-format file.
   *
   * @throws IllegalArgumentException naming the file, the record index and the field that is not
   *     as expected
   */
  public static List<AnnotatedText> readMaintie(Path file) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": no such file");
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": not JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isArray()) {
      throw new IllegalArgumentException(file + ": expected a JSON array of records "
          + "{\"tokens\": [...], \"entities\": [...]}");
    }
    List<AnnotatedText> texts = new ArrayList<>(root.size());
    for (int i = 0; i < root.size(); i++) {
      texts.add(record(file, i, root.get(i)));
    }
    return texts;
  }

  private static AnnotatedText record(Path file, int index, JsonNode node) {
    String where = file + ": record " + index;
    JsonNode tokens = node.get("tokens");
    if (tokens == null || !tokens.isArray()) {
      throw new IllegalArgumentException(where + ": expected a \"tokens\" array of words");
    }
    List<String> words = new ArrayList<>(tokens.size());
    for (int t = 0; t < tokens.size(); t++) {
      JsonNode token = tokens.get(t);
      if (!token.isTextual() || token.asText().isEmpty()
          || token.asText().chars().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException(where + ": tokens[" + t + "] is " + token
            + "; expected a non-empty word without spaces");
      }
      words.add(token.asText());
    }
    JsonNode entities = node.get("entities");
    if (entities != null && !entities.isArray()) {
      throw new IllegalArgumentException(where + ": \"entities\" must be an array");
    }
    List<EntitySpan> spans = new ArrayList<>();
    if (entities != null) {
      for (int e = 0; e < entities.size(); e++) {
        JsonNode entity = entities.get(e);
        JsonNode start = entity.get("start");
        JsonNode end = entity.get("end");
        JsonNode type = entity.get("type");
        if (start == null || !start.canConvertToInt() || end == null || !end.canConvertToInt()
            || type == null || !type.isTextual()) {
          throw new IllegalArgumentException(where + ": entities[" + e + "] is " + entity
              + "; expected {\"start\": <int>, \"end\": <int>, \"type\": \"...\"}");
        }
        int s = start.asInt();
        int x = end.asInt();
        if (s < 0 || x <= s || x > words.size()) {
          throw new IllegalArgumentException(where + ": entities[" + e + "] spans tokens " + s
              + ".." + x + ", outside the " + words.size() + " tokens (end is exclusive)");
        }
        spans.add(new EntitySpan(s, x, type.asText()));
      }
    }
    return new AnnotatedText(Words.of(words), spans);
  }
}
