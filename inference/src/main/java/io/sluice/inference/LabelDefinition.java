package io.sluice.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A label as a topology file gives it: a name, an optional description and a few examples. The
 * description, when given, is used as one more example.
 */
public record LabelDefinition(String label, String description, List<String> examples) {

  public LabelDefinition {
    Objects.requireNonNull(label, "label");
    examples = examples == null ? List.of() : List.copyOf(examples);
    if ((description == null || description.isBlank()) && examples.isEmpty()) {
      throw new IllegalArgumentException("Label '" + label + "' needs a description or at least "
          + "one example");
    }
  }

  public static LabelDefinition of(String label, List<String> examples) {
    return new LabelDefinition(label, null, examples);
  }

  /** The description (if any) and the examples as labelled texts. */
  public List<LabelledText> asExamples() {
    List<LabelledText> all = new ArrayList<>();
    if (description != null && !description.isBlank()) {
      all.add(new LabelledText(description, label));
    }
    examples.forEach(text -> all.add(new LabelledText(text, label)));
    return all;
  }
}
