package io.sluice.operators.internal;

/**
 * A read-only view of a text that allows a fixed number of character reads, then throws
 * {@link WorkExceeded}. Java's regex engine backtracks, so a pattern such as {@code (a+)+b} takes
 * exponential time on some inputs; matching against this view bounds the work of any pattern,
 * including the ones users write, by the budget instead of by luck. The budget is shared by
 * every match run over the same view.
 */
public final class BoundedText implements CharSequence {

  /** Thrown when the budget is spent; carries no stack trace, it is control flow. */
  public static final class WorkExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WorkExceeded() {
      super("character-read budget exceeded", null, false, false);
    }
  }

  private final CharSequence text;
  private final int offset;
  private final int length;
  private final long[] remaining;

  /** A view of {@code text} allowing {@code budget} character reads. */
  public BoundedText(CharSequence text, long budget) {
    this(text, 0, text.length(), new long[] {budget});
  }

  private BoundedText(CharSequence text, int offset, int length, long[] remaining) {
    this.text = text;
    this.offset = offset;
    this.length = length;
    this.remaining = remaining;
  }

  /**
   * A budget proportional to the text: {@code perChar} reads for each character plus a floor, so
   * that a pattern that does linear work never runs out.
   */
  public static long linearBudget(CharSequence text, int perChar) {
    return 4_096L + (long) perChar * text.length();
  }

  /** Reads left in the budget. */
  public long remaining() {
    return remaining[0];
  }

  @Override
  public char charAt(int index) {
    if (--remaining[0] < 0) {
      throw new WorkExceeded();
    }
    if (index < 0 || index >= length) {
      throw new IndexOutOfBoundsException("index " + index + " outside 0.." + length);
    }
    return text.charAt(offset + index);
  }

  @Override
  public int length() {
    return length;
  }

  @Override
  public CharSequence subSequence(int start, int end) {
    if (start < 0 || end > length || start > end) {
      throw new IndexOutOfBoundsException("range " + start + ".." + end + " outside 0.." + length);
    }
    return new BoundedText(text, offset + start, end - start, remaining);
  }

  @Override
  public String toString() {
    return text.subSequence(offset, offset + length).toString();
  }
}
