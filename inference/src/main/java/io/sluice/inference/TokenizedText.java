package io.sluice.inference;

/**
 * One text as token ids, special tokens included, already truncated at the bundle's max tokens.
 *
 * @param ids token ids
 * @param typeIds token type ids (all zero for single sentences)
 * @param truncated whether the text was longer than the bundle's max tokens
 */
public record TokenizedText(long[] ids, long[] typeIds, boolean truncated) {

  /** The number of tokens, special tokens included. */
  public int length() {
    return ids.length;
  }
}
