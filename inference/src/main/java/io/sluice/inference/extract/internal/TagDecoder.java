package io.sluice.inference.extract.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns per-word tag probabilities into entities: the most probable tag path that the scheme
 * allows (Viterbi over log-probabilities, with the scheme's start, transition and end rules), then
 * one entity per opened and closed run. An entity's confidence is the lowest probability among
 * its words' chosen tags (an entity is only as sure as its least sure word); the text's
 * confidence is the lowest over all its words, entity or not, so a word the model hesitated to
 * call {@code O} makes the whole extraction uncertain.
 */
public final class TagDecoder {

  /** A decoded entity over words {@code [start, end)}. */
  public record Span(int start, int end, String type, double confidence) {}

  /**
   * What one text decoded to.
   *
   * @param tags the chosen tag of each word
   * @param spans the entities, in word order
   * @param confidence the lowest chosen-tag probability over all words (1 for no words)
   */
  public record Decoded(int[] tags, List<Span> spans, double confidence) {}

  private static final double IMPOSSIBLE = Double.NEGATIVE_INFINITY;

  private TagDecoder() {}

  /**
   * Decodes one text.
   *
   * @param probabilities {@code [word][tag]} probabilities, each row summing to 1
   */
  public static Decoded decode(TagScheme scheme, float[][] probabilities) {
    int n = probabilities.length;
    if (n == 0) {
      return new Decoded(new int[0], List.of(), 1.0);
    }
    int k = scheme.size();
    double[] score = new double[k];
    double[] next = new double[k];
    int[][] back = new int[n][k];
    for (int t = 0; t < k; t++) {
      score[t] = scheme.canStart(t) ? log(probabilities[0][t]) : IMPOSSIBLE;
    }
    for (int w = 1; w < n; w++) {
      for (int to = 0; to < k; to++) {
        double best = IMPOSSIBLE;
        int arg = 0;
        for (int from = 0; from < k; from++) {
          if (scheme.allowed(from, to) && score[from] > best) {
            best = score[from];
            arg = from;
          }
        }
        next[to] = best + log(probabilities[w][to]);
        back[w][to] = arg;
      }
      double[] swap = score;
      score = next;
      next = swap;
    }
    int last = -1;
    for (int t = 0; t < k; t++) {
      if (scheme.canEnd(t) && score[t] > IMPOSSIBLE && (last < 0 || score[t] > score[last])) {
        last = t;
      }
    }
    if (last < 0) {
      last = 0; // every path was impossible (a zero probability everywhere): fall back to O
    }
    int[] tags = new int[n];
    tags[n - 1] = last;
    for (int w = n - 1; w > 0; w--) {
      tags[w - 1] = back[w][tags[w]];
    }
    return new Decoded(tags, spans(scheme, tags, probabilities), textConfidence(tags,
        probabilities));
  }

  /** The entities of a legal tag path. */
  static List<Span> spans(TagScheme scheme, int[] tags, float[][] probabilities) {
    List<Span> spans = new ArrayList<>();
    int open = -1;
    for (int w = 0; w <= tags.length; w++) {
      TagScheme.Role role = w < tags.length ? scheme.role(tags[w]) : TagScheme.Role.OUTSIDE;
      boolean continues = role == TagScheme.Role.INSIDE || role == TagScheme.Role.END;
      if (open >= 0 && !continues) {
        spans.add(span(scheme, tags, probabilities, open, w));
        open = -1;
      }
      if (role == TagScheme.Role.BEGIN || role == TagScheme.Role.SINGLE) {
        open = w;
      } else if (continues && open < 0) {
        open = w; // only on paths built by hand; Viterbi paths never start with I- or E-
      }
      if (open >= 0 && (role == TagScheme.Role.END || role == TagScheme.Role.SINGLE)) {
        spans.add(span(scheme, tags, probabilities, open, w + 1));
        open = -1;
      }
    }
    return spans;
  }

  private static Span span(TagScheme scheme, int[] tags, float[][] probabilities, int start,
      int end) {
    double confidence = 1.0;
    for (int w = start; w < end; w++) {
      confidence = Math.min(confidence, probabilities[w][tags[w]]);
    }
    return new Span(start, end, scheme.type(tags[start]), clamp(confidence));
  }

  private static double textConfidence(int[] tags, float[][] probabilities) {
    double confidence = 1.0;
    for (int w = 0; w < tags.length; w++) {
      confidence = Math.min(confidence, probabilities[w][tags[w]]);
    }
    return clamp(confidence);
  }

  private static double clamp(double p) {
    return Double.isNaN(p) ? 0 : Math.max(0, Math.min(1, p));
  }

  private static double log(float p) {
    return p > 0 ? Math.log(p) : IMPOSSIBLE;
  }
}
