package io.sluice.inference;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.sluice.inference.internal.EnumIds;

/** Which classification head sits on the frozen encoder. */
public enum HeadKind {
  /** Nearest centroid of each label's examples and description; for a handful of examples. */
  PROTOTYPE("prototype"),
  /** Softmax regression trained on the examples; for ten or more examples a label. */
  SOFTMAX("softmax"),
  /** Softmax when every label has at least {@link ClassifierSettings#minExamplesForSoftmax()}. */
  AUTO("auto");

  private final String id;

  HeadKind(String id) {
    this.id = id;
  }

  @JsonValue
  public String id() {
    return id;
  }

  @JsonCreator
  public static HeadKind of(String id) {
    return EnumIds.byId(HeadKind.class, HeadKind::id, id, "head");
  }
}
