package io.sluice.inference;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.sluice.inference.internal.EnumIds;

/** What a bundle's model does, as its manifest's {@code task} says. */
public enum ModelTask {
  /** Text in, one vector out (pooled from the last hidden state). */
  ENCODER("encoder"),
  /** Text in, one label out of the manifest's {@code labels}. */
  SEQUENCE_CLASSIFICATION("sequence-classification"),
  /** Text in, one label a token out of the manifest's {@code labels}. */
  TOKEN_CLASSIFICATION("token-classification"),
  /** A decoder-only language model (Optimum / transformers.js layout). */
  CAUSAL_LM("causal-lm");

  private final String id;

  ModelTask(String id) {
    this.id = id;
  }

  @JsonValue
  public String id() {
    return id;
  }

  @JsonCreator
  public static ModelTask of(String id) {
    return EnumIds.byId(ModelTask.class, ModelTask::id, id, "task");
  }
}
