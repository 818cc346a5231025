package io.sluice.runtime.openai.internal;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Automatic prefix caching for API requests, which do not say which part of their prompt is
 * shared: the prompt is compared with the most recent ones of the same model, and the longest
 * common beginning, cut down to a whole number of {@link #BLOCK}-token blocks, is passed to the
 * engine as the request's prefix, whose state the engine's prefix cache then computes once. A
 * system prompt or few-shot examples sent with every request are so computed once per model
 * instead of once per request. The ids are split, not the text, so the model reads the same
 * tokens either way. Not thread-safe: one per model, used on the event loop.
 */
public final class SharedPrefixes {

  /** Prefixes are whole blocks of this many tokens, so near-identical prompts share one key. */
  public static final int BLOCK = 16;

  private final int remembered;
  private final ArrayDeque<int[]> recent = new ArrayDeque<>();

  /** @param remembered how many recent prompts to compare with */
  public SharedPrefixes(int remembered) {
    this.remembered = remembered;
  }

  /** How many leading tokens of {@code prompt} to pass as the prefix (0 for none). */
  public int prefixLength(int[] prompt) {
    int longest = 0;
    for (int[] other : recent) {
      int limit = Math.min(other.length, prompt.length - 1);
      int common = 0;
      while (common < limit && other[common] == prompt[common]) {
        common++;
      }
      longest = Math.max(longest, common);
    }
    recent.addFirst(Arrays.copyOf(prompt, prompt.length));
    if (recent.size() > remembered) {
      recent.removeLast();
    }
    return longest / BLOCK * BLOCK;
  }
}
