package io.sluice.inference.extract;

import java.util.List;
import java.util.Objects;

/**
 * What an extractor found in one text.
 *
 * @param words the text's words
 * @param entities the entities, in text order (an outer entity before those nested in it)
 * @param confidence how sure the extractor is of the whole text's tagging, entities and the words
 *     it left out alike: the lowest probability of any word's chosen tag (1 for a text without
 *     words). Low values mark an uncertain extraction that a router may forward
 * @param tokens sub-tokens the model read
 */
public record EntityResult(Words words, List<Entity> entities, double confidence, int tokens) {

  public EntityResult {
    Objects.requireNonNull(words, "words");
    entities = List.copyOf(entities);
    if (!(confidence >= 0 && confidence <= 1)) {
      throw new IllegalArgumentException("confidence " + confidence + " is not in [0, 1]");
    }
  }
}
