package io.sluice.inference.extract;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.sluice.inference.internal.EnumIds;

/** How the states of a word's sub-tokens become the word's state. */
public enum SubwordPooling {
  /** The state of the word's first sub-token (what BERT's token classifiers are trained on). */
  FIRST("first"),
  /** The mean of the states of all the word's sub-tokens. */
  MEAN("mean");

  private final String id;

  SubwordPooling(String id) {
    this.id = id;
  }

  @JsonValue
  public String id() {
    return id;
  }

  @JsonCreator
  public static SubwordPooling of(String id) {
    return EnumIds.byId(SubwordPooling.class, SubwordPooling::id, id, "subword pooling");
  }
}
