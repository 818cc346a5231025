package io.sluice.inference;

import java.util.Arrays;
import java.util.List;

/**
 * Tokenized texts packed for one model call, padded to the longest of them (not to a fixed
 * length), as flat row-major arrays ready to become tensors of shape
 * {@code [size, paddedLength]}.
 */
public final class TokenizedBatch {

  private final int size;
  private final int paddedLength;
  private final long[] inputIds;
  private final long[] attentionMask;
  private final long[] typeIds;
  private final int[] lengths;

  private TokenizedBatch(int size, int paddedLength, long[] inputIds, long[] attentionMask,
      long[] typeIds, int[] lengths) {
    this.size = size;
    this.paddedLength = paddedLength;
    this.inputIds = inputIds;
    this.attentionMask = attentionMask;
    this.typeIds = typeIds;
    this.lengths = lengths;
  }

  /** Packs texts, padding with id 0 to the longest. */
  public static TokenizedBatch pack(List<TokenizedText> texts) {
    if (texts.isEmpty()) {
      throw new IllegalArgumentException("A batch needs at least one text");
    }
    int size = texts.size();
    int padded = 0;
    for (TokenizedText text : texts) {
      padded = Math.max(padded, text.length());
    }
    long[] ids = new long[size * padded];
    long[] mask = new long[size * padded];
    long[] types = new long[size * padded];
    int[] lengths = new int[size];
    for (int row = 0; row < size; row++) {
      TokenizedText text = texts.get(row);
      int length = text.length();
      lengths[row] = length;
      System.arraycopy(text.ids(), 0, ids, row * padded, length);
      System.arraycopy(text.typeIds(), 0, types, row * padded, length);
      Arrays.fill(mask, row * padded, row * padded + length, 1L);
    }
    return new TokenizedBatch(size, padded, ids, mask, types, lengths);
  }

  public int size() {
    return size;
  }

  public int paddedLength() {
    return paddedLength;
  }

  /** Real tokens (not padding) in the batch. */
  public int realTokens() {
    int sum = 0;
    for (int length : lengths) {
      sum += length;
    }
    return sum;
  }

  /** Tokens the model processes: {@code size * paddedLength}. */
  public int paddedTokens() {
    return size * paddedLength;
  }

  /** Share of the processed tokens that are padding. */
  public double paddingRatio() {
    return 1.0 - (double) realTokens() / paddedTokens();
  }

  public int length(int row) {
    return lengths[row];
  }

  long[] inputIds() {
    return inputIds;
  }

  long[] attentionMask() {
    return attentionMask;
  }

  long[] typeIds() {
    return typeIds;
  }
}
