package io.sluice.inference.extract;

import java.util.List;
import java.util.Objects;

/**
 * A text with its gold entities, what extraction heads learn from and are scored against.
 *
 * @param words the text's words
 * @param entities labelled word spans, each within the words
 */
public record AnnotatedText(Words words, List<EntitySpan> entities) {

  public AnnotatedText {
    Objects.requireNonNull(words, "words");
    entities = List.copyOf(entities);
    for (EntitySpan e : entities) {
      if (e.end() > words.size()) {
        throw new IllegalArgumentException("entity " + e + " ends after the " + words.size()
            + " words of '" + words.text() + "'");
      }
    }
  }
}
