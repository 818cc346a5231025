package io.sluice.inference.extract;

/**
 * The encoder's state of every word of one text.
 *
 * @param vectors one state per word, in word order; a word the model never saw (cut by
 *     truncation, or one that tokenizes to nothing) has a zero vector
 * @param tokens sub-tokens the model read, special tokens included
 * @param coveredWords how many leading words the model saw (all of them unless truncated)
 */
public record WordStates(float[][] vectors, int tokens, int coveredWords) {

  public int size() {
    return vectors.length;
  }

  /** Whether words at the end were cut at the model's max tokens. */
  public boolean truncated() {
    return coveredWords < vectors.length;
  }
}
