package io.sluice.inference.extract.internal;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.sluice.inference.InferenceException;
import io.sluice.inference.extract.Words;
import io.sluice.inference.internal.DjlNatives;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A Hugging Face tokenizer run on words, not on raw text: each text's words go in as a
 * pre-tokenized sequence, so word boundaries are exactly those given, and every sub-token knows
 * its word. Special tokens are added as the tokenizer file says; truncation at {@code maxTokens}
 * cuts the last words (they get no sub-token).
 *
 * <p>Thread-safe: encodes run concurrently; {@link #close()} waits for them and is idempotent.
 */
public final class WordPieces implements AutoCloseable {

  /**
   * One text as sub-tokens.
   *
   * @param ids token ids, special tokens included
   * @param tokens the tokens as strings
   * @param wordIds the word of each token, -1 for special tokens
   * @param coveredWords how many leading words have at least one token (all unless truncated)
   * @param truncated whether sub-tokens were cut at the max length
   */
  public record Pieces(long[] ids, String[] tokens, int[] wordIds, int coveredWords,
      boolean truncated) {

    public int length() {
      return ids.length;
    }
  }

  private final String model;
  private final HuggingFaceTokenizer tokenizer;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  private WordPieces(String model, HuggingFaceTokenizer tokenizer) {
    this.model = model;
    this.tokenizer = tokenizer;
  }

  /** Opens {@code tokenizer.json} bytes, truncating at {@code maxTokens}, padding nothing. */
  public static WordPieces open(String model, byte[] tokenizerJson, int maxTokens) {
    if (maxTokens < 3) {
      throw new IllegalArgumentException("maxTokens must leave room for special tokens and a "
          + "word, got " + maxTokens);
    }
    DjlNatives.configure();
    Map<String, String> options = Map.of(
        "padding", "false",
        "truncation", "true",
        "maxLength", Integer.toString(maxTokens),
        "addSpecialTokens", "true");
    try {
      return new WordPieces(model, HuggingFaceTokenizer.newInstance(
          new ByteArrayInputStream(tokenizerJson), options));
    } catch (IOException | RuntimeException e) {
      throw new InferenceException("Cannot load the tokenizer of model '" + model + "': "
          + e.getMessage(), e);
    }
  }

  /** The sub-tokens of one text's words. */
  public Pieces encode(Words words) {
    if (words.size() == 0) {
      return new Pieces(new long[0], new String[0], new int[0], 0, false);
    }
    Encoding encoding;
    lock.readLock().lock();
    try {
      if (closed) {
        throw new InferenceException("The tokenizer of model '" + model + "' is closed");
      }
      encoding = tokenizer.encode(words.words().toArray(String[]::new));
    } catch (RuntimeException e) {
      if (e instanceof InferenceException ie) {
        throw ie;
      }
      throw new InferenceException("Model '" + model + "' cannot tokenize the words "
          + words.words() + ": " + e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
    long[] wordIds = encoding.getWordIds();
    int[] words32 = new int[wordIds.length];
    int covered = 0;
    for (int i = 0; i < wordIds.length; i++) {
      words32[i] = (int) wordIds[i];
      covered = Math.max(covered, words32[i] + 1);
    }
    return new Pieces(encoding.getIds(), encoding.getTokens(), words32, covered,
        encoding.exceedMaxLength());
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        tokenizer.close();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }
}
