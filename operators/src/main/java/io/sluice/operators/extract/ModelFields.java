package io.sluice.operators.extract;

import java.util.List;

/**
 * What an entity model found in one text.
 *
 * @param fields one per entity: its type as the field name (hierarchy levels joined by
 *     {@code .}, so rules can read {@code fields.PhysicalObject}), the words as value, the span
 *     and the model's confidence in it
 * @param confidence how sure the model is of the whole text's tagging, entities and the words it
 *     left out alike, in [0, 1]
 */
public record ModelFields(List<Extraction> fields, double confidence) {

  public ModelFields {
    fields = List.copyOf(fields);
    if (!(confidence >= 0 && confidence <= 1)) {
      throw new IllegalArgumentException("confidence " + confidence + " is not in [0, 1]");
    }
  }
}
