package io.sluice.inference.extract;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A text as words, each with its character span in the text. Extraction works on words: models
 * tag words, entities are runs of words, and an entity's characters are those of its words.
 *
 * <p>Work orders come either as raw text, split here at whitespace ({@link #split}), or already
 * tokenized, as MaintIE's {@code tokens} arrays ({@link #of}), whose word boundaries are kept as
 * they are (the text is the words joined by single spaces).
 *
 * @param text the text the spans refer to
 * @param words the words, none empty
 * @param starts character offset of each word in {@code text}
 * @param ends character offset after each word
 */
public record Words(String text, List<String> words, int[] starts, int[] ends) {

  public Words {
    Objects.requireNonNull(text, "text");
    words = List.copyOf(words);
    if (starts.length != words.size() || ends.length != words.size()) {
      throw new IllegalArgumentException(words.size() + " words but " + starts.length
          + " starts and " + ends.length + " ends");
    }
    for (int i = 0; i < words.size(); i++) {
      if (words.get(i).isEmpty() || starts[i] < 0 || ends[i] > text.length()
          || ends[i] <= starts[i] || (i > 0 && starts[i] < ends[i - 1])) {
        throw new IllegalArgumentException("word " + i + " '" + words.get(i) + "' has span "
            + starts[i] + ".." + ends[i] + ", which is empty, out of order or outside a text of "
            + text.length() + " characters");
      }
    }
    starts = starts.clone();
    ends = ends.clone();
  }

  /** Splits {@code text} at whitespace; spans point into {@code text}. */
  public static Words split(String text) {
    Objects.requireNonNull(text, "text");
    List<String> words = new ArrayList<>();
    int[] starts = new int[8];
    int[] ends = new int[8];
    int i = 0;
    int n = text.length();
    while (i < n) {
      while (i < n && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      if (i == n) {
        break;
      }
      int start = i;
      while (i < n && !Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      if (words.size() == starts.length) {
        starts = Arrays.copyOf(starts, starts.length * 2);
        ends = Arrays.copyOf(ends, ends.length * 2);
      }
      starts[words.size()] = start;
      ends[words.size()] = i;
      words.add(text.substring(start, i));
    }
    return new Words(text, words, Arrays.copyOf(starts, words.size()),
        Arrays.copyOf(ends, words.size()));
  }

  /** Words given as they are (pre-tokenized); the text is them joined by single spaces. */
  public static Words of(List<String> words) {
    StringBuilder text = new StringBuilder();
    int[] starts = new int[words.size()];
    int[] ends = new int[words.size()];
    for (int i = 0; i < words.size(); i++) {
      String word = Objects.requireNonNull(words.get(i), "word " + i);
      if (i > 0) {
        text.append(' ');
      }
      starts[i] = text.length();
      text.append(word);
      ends[i] = text.length();
    }
    return new Words(text.toString(), words, starts, ends);
  }

  public int size() {
    return words.size();
  }

  public String word(int index) {
    return words.get(index);
  }

  public int start(int index) {
    return starts[index];
  }

  public int end(int index) {
    return ends[index];
  }

  /** The characters of words {@code [from, to)} as written in the text. */
  public String span(int from, int to) {
    return text.substring(starts[from], ends[to - 1]);
  }

  @Override
  public int[] starts() {
    return starts.clone();
  }

  @Override
  public int[] ends() {
    return ends.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Words w && text.equals(w.text) && words.equals(w.words)
        && Arrays.equals(starts, w.starts) && Arrays.equals(ends, w.ends);
  }

  @Override
  public int hashCode() {
    return Objects.hash(text, words, Arrays.hashCode(starts), Arrays.hashCode(ends));
  }

  @Override
  public String toString() {
    return "Words" + words;
  }
}
