package io.sluice.operators.decode;

import io.sluice.schemas.DeadLetterType;

/** A payload that cannot be decoded; {@link #type()} and the message go to the dead letter. */
public final class DecodeException extends Exception {

  private static final long serialVersionUID = 1L;

  private final DeadLetterType type;

  public DecodeException(DeadLetterType type, String reason) {
    super(reason, null, false, false);
    this.type = type;
  }

  public DeadLetterType type() {
    return type;
  }
}
