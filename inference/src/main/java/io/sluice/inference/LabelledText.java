package io.sluice.inference;

import java.util.Objects;

/** A text and the label it belongs to: a training example, or feedback from the cloud tier. */
public record LabelledText(String text, String label) {

  public LabelledText {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(label, "label");
    if (label.isBlank()) {
      throw new IllegalArgumentException("A label must not be blank (text: '" + text + "')");
    }
  }
}
