package io.sluice.inference.extract;

import java.util.Objects;

/**
 * A labelled run of words: words {@code [start, end)} of a text are an entity of {@code type}.
 * Spans of one text may nest (an {@code air horn} holding a {@code horn}) but, in MaintIE, never
 * cross.
 *
 * @param start index of the first word
 * @param end index after the last word
 * @param type the entity type, a path in the type hierarchy such as
 *     {@code PhysicalObject/PresentingObject/AcousticDevice}
 */
public record EntitySpan(int start, int end, String type) {

  public EntitySpan {
    Objects.requireNonNull(type, "type");
    if (start < 0 || end <= start) {
      throw new IllegalArgumentException("entity '" + type + "' has an empty or negative word span "
          + start + ".." + end);
    }
  }

  public int length() {
    return end - start;
  }

  /** Whether this span lies within {@code other} (or is the same span). */
  public boolean within(EntitySpan other) {
    return other.start <= start && end <= other.end;
  }

  /** Whether the two spans share a word but neither holds the other. */
  public boolean crosses(EntitySpan other) {
    return start < other.end && other.start < end && !within(other) && !other.within(this);
  }
}
