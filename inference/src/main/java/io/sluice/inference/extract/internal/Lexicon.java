package io.sluice.inference.extract.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the training texts say about words the tagger will see again: for each word (lower case),
 * how often it carried each tag in each tagging layer, and for each pair of neighbouring words,
 * how often they were inside one entity. Work orders repeat their vocabulary, and some of what
 * they repeat is convention rather than meaning ({@code generator cable} is two entities,
 * {@code air conditioner} one), which frozen encoder states do not carry.
 *
 * <p>Features of a word: per layer its smoothed tag distribution (add-one toward the overall tag
 * frequencies) and {@code log(1 + count)}; then, for the pair with its left and with its right
 * neighbour, the smoothed share of times the two were in one outermost entity and
 * {@code log(1 + count)}. Unseen words and pairs get the prior and a count of zero.
 *
 * <p>When the tagger is trained on the very texts a lexicon was counted from, the features would
 * be too good (a word's own tag is in its count), so training uses lexicons counted from the other
 * folds ({@link #crossFitted}).
 */
public final class Lexicon {

  private final int layers;
  private final int tags;
  private final Map<String, int[]> words;
  private final Map<String, int[]> pairs;
  private final double[][] tagPrior;
  private final double joinPrior;

  private Lexicon(int layers, int tags, Map<String, int[]> words, Map<String, int[]> pairs) {
    this.layers = layers;
    this.tags = tags;
    this.words = words;
    this.pairs = pairs;
    this.tagPrior = new double[layers][tags];
    long[] totals = new long[layers];
    for (int[] counts : words.values()) {
      for (int l = 0; l < layers; l++) {
        for (int t = 0; t < tags; t++) {
          tagPrior[l][t] += counts[l * tags + t];
          totals[l] += counts[l * tags + t];
        }
      }
    }
    for (int l = 0; l < layers; l++) {
      for (int t = 0; t < tags; t++) {
        tagPrior[l][t] = totals[l] == 0 ? 1.0 / tags : (tagPrior[l][t] + 1) / (totals[l] + tags);
      }
    }
    long joined = 0;
    long all = 0;
    for (int[] counts : pairs.values()) {
      joined += counts[0];
      all += counts[1];
    }
    this.joinPrior = (joined + 1.0) / (all + 2.0);
  }

  /** A lexicon from texts' words and their gold tags, {@code [layer][word]} per text. */
  public static Lexicon count(List<List<String>> texts, List<int[][]> gold, int layers,
      int tags, TagScheme scheme) {
    Map<String, int[]> words = new HashMap<>();
    Map<String, int[]> pairs = new HashMap<>();
    for (int i = 0; i < texts.size(); i++) {
      List<String> text = texts.get(i);
      int[][] layerTags = gold.get(i);
      for (int w = 0; w < text.size(); w++) {
        int[] counts = words.computeIfAbsent(key(text.get(w)), k -> new int[layers * tags]);
        for (int l = 0; l < layers; l++) {
          counts[l * tags + layerTags[l][w]]++;
        }
        if (w + 1 < text.size()) {
          int[] pair = pairs.computeIfAbsent(pairKey(text.get(w), text.get(w + 1)),
              k -> new int[2]);
          TagScheme.Role next = scheme.role(layerTags[0][w + 1]);
          boolean joined = layerTags[0][w] != 0
              && (next == TagScheme.Role.INSIDE || next == TagScheme.Role.END);
          pair[0] += joined ? 1 : 0;
          pair[1]++;
        }
      }
    }
    return new Lexicon(layers, tags, words, pairs);
  }

  /**
   * For each text, the lexicon counted from the other folds (texts are dealt to {@code folds}
   * folds by index), so no text's features contain its own tags.
   */
  public static List<Lexicon> crossFitted(List<List<String>> texts, List<int[][]> gold,
      int layers, int tags, TagScheme scheme, int folds) {
    List<Lexicon> byFold = new ArrayList<>(folds);
    for (int f = 0; f < folds; f++) {
      List<List<String>> otherTexts = new ArrayList<>();
      List<int[][]> otherGold = new ArrayList<>();
      for (int i = 0; i < texts.size(); i++) {
        if (i % folds != f) {
          otherTexts.add(texts.get(i));
          otherGold.add(gold.get(i));
        }
      }
      byFold.add(count(otherTexts, otherGold, layers, tags, scheme));
    }
    List<Lexicon> perText = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      perText.add(byFold.get(i % folds));
    }
    return perText;
  }

  /** The number of features per word. */
  public int width() {
    return layers * (tags + 1) + 4;
  }

  /** The features of every word of a text, {@code [word][feature]}. */
  public float[][] features(List<String> text) {
    float[][] out = new float[text.size()][width()];
    for (int w = 0; w < text.size(); w++) {
      float[] f = out[w];
      int[] counts = words.get(key(text.get(w)));
      int at = 0;
      for (int l = 0; l < layers; l++) {
        int n = 0;
        for (int t = 0; t < tags; t++) {
          n += counts == null ? 0 : counts[l * tags + t];
        }
        for (int t = 0; t < tags; t++) {
          int c = counts == null ? 0 : counts[l * tags + t];
          f[at++] = (float) ((c + tagPrior[l][t]) / (n + 1.0));
        }
        f[at++] = (float) Math.log1p(n);
      }
      at = pair(text, w - 1, f, at);
      pair(text, w, f, at);
    }
    return out;
  }

  private int pair(List<String> text, int left, float[] f, int at) {
    int[] counts = left < 0 || left + 1 >= text.size() ? null
        : pairs.get(pairKey(text.get(left), text.get(left + 1)));
    int joined = counts == null ? 0 : counts[0];
    int n = counts == null ? 0 : counts[1];
    f[at++] = (float) ((joined + joinPrior) / (n + 1.0));
    f[at++] = (float) Math.log1p(n);
    return at;
  }

  private static String key(String word) {
    return word.toLowerCase(Locale.ROOT);
  }

  private static String pairKey(String left, String right) {
    return key(left) + ' ' + key(right);
  }

  /** The counts, for saving: {@code words}, {@code pairs}, {@code layers}, {@code tags}. */
  public Map<String, Object> state() {
    Map<String, Object> state = new TreeMap<>();
    state.put("layers", layers);
    state.put("tags", tags);
    state.put("words", new TreeMap<>(words));
    state.put("pairs", new TreeMap<>(pairs));
    return state;
  }

  /** A lexicon from saved counts. */
  public static Lexicon fromState(int layers, int tags, Map<String, int[]> words,
      Map<String, int[]> pairs) {
    for (Map.Entry<String, int[]> e : words.entrySet()) {
      if (e.getValue().length != layers * tags) {
        throw new IllegalArgumentException("lexicon word '" + e.getKey() + "' has "
            + e.getValue().length + " counts; expected " + layers * tags);
      }
    }
    for (Map.Entry<String, int[]> e : pairs.entrySet()) {
      if (e.getValue().length != 2) {
        throw new IllegalArgumentException("lexicon pair '" + e.getKey() + "' has "
            + e.getValue().length + " counts; expected 2");
      }
    }
    return new Lexicon(layers, tags, new HashMap<>(words), new HashMap<>(pairs));
  }
}
