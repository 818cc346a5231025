package io.sluice.inference.extract;

import java.util.Objects;

/**
 * An entity a model found in a text.
 *
 * @param type the entity type, for example {@code PhysicalObject} (at the hierarchy level the
 *     model was trained for)
 * @param firstWord index of its first word
 * @param endWord index after its last word
 * @param start character offset of its first character in the text
 * @param end character offset after its last character
 * @param text the entity as written: {@code text.substring(start, end)}
 * @param confidence how sure the model is of this span and type, in [0, 1]
 */
public record Entity(String type, int firstWord, int endWord, int start, int end, String text,
    double confidence) {

  public Entity {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(text, "text");
    if (firstWord < 0 || endWord <= firstWord || start < 0 || end <= start) {
      throw new IllegalArgumentException("entity '" + type + "' has an empty span: words "
          + firstWord + ".." + endWord + ", characters " + start + ".." + end);
    }
    if (!(confidence >= 0 && confidence <= 1)) {
      throw new IllegalArgumentException("entity '" + type + "' has confidence " + confidence
          + ", expected a number in [0, 1]");
    }
  }

  /** The entity over words {@code [firstWord, endWord)} of {@code words}. */
  public static Entity of(Words words, String type, int firstWord, int endWord,
      double confidence) {
    int start = words.start(firstWord);
    int end = words.end(endWord - 1);
    return new Entity(type, firstWord, endWord, start, end, words.text().substring(start, end),
        confidence);
  }

  /** Its word span and type, as gold annotations are written. */
  public EntitySpan span() {
    return new EntitySpan(firstWord, endWord, type);
  }
}
