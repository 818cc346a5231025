package io.sluice.operators;

import java.util.Collection;
import java.util.Locale;

/**
 * Finds the known word a user probably meant, for error hints ("did you mean 'confidence'?"). A
 * candidate that differs only in case always wins; then one the word starts with or that starts
 * with the word (both at least three letters: {@code encoder} for {@code enc}); otherwise the one
 * with the fewest edits (a swap of neighbouring characters is one edit), when that is at most a
 * third of the word's length (at least one edit). Used by the topology loader too.
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
    }
    for (String candidate : candidates) {
      String other = candidate.toLowerCase(Locale.ROOT);
      if (other.length() >= 3 && lower.length() >= 3
          && (lower.startsWith(other) || other.startsWith(lower))) {
        return candidate;
      }
    }
    for (String candidate : candidates) {
      String other = candidate.toLowerCase(Locale.ROOT);
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

  /**
   * Edit distance counting an insertion, deletion, substitution or swap of two neighbouring
   * characters as one edit (optimal string alignment), so that {@code emial} is one edit from
   * {@code email}.
   */
  static int editDistance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
