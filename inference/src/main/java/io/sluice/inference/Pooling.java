package io.sluice.inference;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.sluice.inference.internal.EnumIds;

/** How an encoder turns its token vectors into one sentence vector. */
public enum Pooling {
  /** The mean of the vectors of the real (unpadded) tokens; all-MiniLM and e5 use it. */
  MEAN("mean"),
  /** The vector of the first token ({@code [CLS]}); bge uses it. */
  CLS("cls");

  private final String id;

  Pooling(String id) {
    this.id = id;
  }

  @JsonValue
  public String id() {
    return id;
  }

  @JsonCreator
  public static Pooling of(String id) {
    return EnumIds.byId(Pooling.class, Pooling::id, id, "pooling");
  }
}
