package io.sluice.inference.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Normalizes a text into a cache key without merging texts the model would see differently:
 * runs of whitespace become one space and the ends are trimmed (BERT-style pre-tokenizers split
 * on whitespace, so this changes no token), and the text is lower-cased only when the bundle's
 * tokenizer lower-cases anyway.
 */
public final class TextKeys {

  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private final boolean lowercase;

  private TextKeys(boolean lowercase) {
    this.lowercase = lowercase;
  }

  /** Reads whether the tokenizer lower-cases from its {@code tokenizer.json}. */
  public static TextKeys forTokenizer(byte[] tokenizerJson) {
    try {
      return new TextKeys(lowercases(Json.MAPPER.readTree(tokenizerJson).path("normalizer")));
    } catch (IOException e) {
      return new TextKeys(false);
    }
  }

  public String key(String text) {
    String collapsed = WHITESPACE.matcher(text).replaceAll(" ").trim();
    return lowercase ? collapsed.toLowerCase(Locale.ROOT) : collapsed;
  }

  public boolean lowercase() {
    return lowercase;
  }

  private static boolean lowercases(JsonNode normalizer) {
    String type = normalizer.path("type").asText("");
    if (type.equals("BertNormalizer")) {
      return normalizer.path("lowercase").asBoolean(false);
    }
    if (type.equals("Lowercase")) {
      return true;
    }
    if (type.equals("Sequence")) {
      for (JsonNode child : normalizer.path("normalizers")) {
        if (lowercases(child)) {
          return true;
        }
      }
    }
    return false;
  }
}
