package io.sluice.inference.generate.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Set algebra over code point ranges held as sorted {@code [lo, hi, lo, hi, ...]} arrays. */
final class CodePointSets {

  static final int[] ALL = {0, 0xD7FF, 0xE000, Utf8Sequences.MAX_CODE_POINT};
  static final int[] DIGIT = {'0', '9'};
  static final int[] WORD = {'0', '9', 'A', 'Z', '_', '_', 'a', 'z'};
  static final int[] SPACE = {'\t', '\r', ' ', ' '};

  private CodePointSets() {}

  /** Sorts and merges any list of (possibly overlapping) pairs. */
  static int[] normalize(int[] pairs) {
    int n = pairs.length / 2;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Integer.compare(pairs[2 * a], pairs[2 * b]));
    List<int[]> merged = new ArrayList<>();
    for (int i : order) {
      int lo = pairs[2 * i];
      int hi = pairs[2 * i + 1];
      if (lo > hi) {
        continue;
      }
      int[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && lo <= last[1] + 1) {
        last[1] = Math.max(last[1], hi);
      } else {
        merged.add(new int[] {lo, hi});
      }
    }
    int[] out = new int[merged.size() * 2];
    for (int i = 0; i < merged.size(); i++) {
      out[2 * i] = merged.get(i)[0];
      out[2 * i + 1] = merged.get(i)[1];
    }
    return out;
  }

  static int[] union(int[] a, int[] b) {
    int[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return normalize(both);
  }

  /** Every scalar value (surrogates excluded) that is not in {@code set}. */
  static int[] complement(int[] set) {
    int[] sorted = normalize(set);
    List<Integer> out = new ArrayList<>();
    int next = 0;
    for (int i = 0; i < sorted.length; i += 2) {
      if (sorted[i] > next) {
        out.add(next);
        out.add(sorted[i] - 1);
      }
      next = sorted[i + 1] + 1;
    }
    if (next <= Utf8Sequences.MAX_CODE_POINT) {
      out.add(next);
      out.add(Utf8Sequences.MAX_CODE_POINT);
    }
    return minusSurrogates(out.stream().mapToInt(Integer::intValue).toArray());
  }

  static int[] minusSurrogates(int[] set) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < set.length; i += 2) {
      int lo = set[i];
      int hi = set[i + 1];
      if (hi < 0xD800 || lo > 0xDFFF) {
        out.add(lo);
        out.add(hi);
        continue;
      }
      if (lo < 0xD800) {
        out.add(lo);
        out.add(0xD7FF);
      }
      if (hi > 0xDFFF) {
        out.add(0xE000);
        out.add(hi);
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }
}
