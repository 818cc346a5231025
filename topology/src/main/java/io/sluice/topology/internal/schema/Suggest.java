package io.sluice.topology.internal.schema;

import java.util.Collection;

/** Suggests the nearest known word for a misspelt one (edit distance). */
public final class Suggest {

  private Suggest() {}

  /**
   * The closest candidate within a third of the word's length in edits (a swap of two neighbours
   * counts as one), or one that the word starts with or that starts with the word; else null.
   */
  public static String closest(String word, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    String lower = word.toLowerCase();
    for (String c : candidates) {
      String candidate = c.toLowerCase();
      if (candidate.length() >= 3 && lower.length() >= 3
          && (lower.startsWith(candidate) || candidate.startsWith(lower))) {
        return c;
      }
    }
    for (String c : candidates) {
      int d = distance(lower, c.toLowerCase());
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    return best != null && bestDistance <= Math.max(1, word.length() / 3) ? best : null;
  }

  /** Edit distance where inserting, deleting, replacing or swapping neighbours costs one. */
  static int distance(String a, String b) {
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
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
