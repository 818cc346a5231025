package io.sluice.operators.internal;

import java.util.Collection;
import java.util.Locale;

/**
 * Finds the known word a user probably meant, for error hints ("did you mean 'confidence'?"). A
 * candidate that differs only in case always wins; otherwise the one with the fewest edits, when
 * that is at most a third of the word's length (at least one edit).
 */
public final class Suggestions {

  private Suggestions() {}

  /** The nearest candidate, or null when none is near enough to be a plausible typo. */
  public static String nearest(String word, Collection<String> candidates) {
    String lower = word.toLowerCase(Locale.ROOT);
    String best = null;
    int bestEdits = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      String other = candidate.toLowerCase(Locale.ROOT);
      if (other.equals(lower)) {
        return candidate;
      }
      int edits = editDistance(lower, other);
      if (edits < bestEdits) {
        bestEdits = edits;
        best = candidate;
      }
    }
    return bestEdits <= Math.max(1, word.length() / 3) ? best : null;
  }

  /** "did you mean 'x'?" for the nearest candidate, else "expected one of: a, b, c". */
  public static String didYouMean(String word, Collection<String> candidates) {
    String near = nearest(word, candidates);
    return near != null ? "did you mean '" + near + "'?"
        : "expected one of: " + String.join(", ", candidates);
  }

  /** Levenshtein distance over two rolling rows. */
  static int editDistance(String a, String b) {
    int[] above = new int[b.length() + 1];
    int[] row = new int[b.length() + 1];
    for (int j = 0; j < above.length; j++) {
      above[j] = j;
    }
    for (int i = 0; i < a.length(); i++) {
      row[0] = i + 1;
      for (int j = 0; j < b.length(); j++) {
        int substitute = above[j] + (a.charAt(i) == b.charAt(j) ? 0 : 1);
        row[j + 1] = Math.min(substitute, Math.min(above[j + 1], row[j]) + 1);
      }
      int[] swap = above;
      above = row;
      row = swap;
    }
    return above[b.length()];
  }
}
