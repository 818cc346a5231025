package io.sluice.inference.generate.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a range of Unicode code points into the byte-range sequences that match exactly its UTF-8
 * encodings, so that constraints written over characters can run as automata over bytes (which is
 * what a byte-level tokenizer's vocabulary is made of).
 *
 * <p>A range is first cut at the surrogate gap and at the boundaries between 1-, 2-, 3- and 4-byte
 * encodings. A same-length range is then cut until every continuation byte varies over its full
 * span independently of the bytes before it; at that point the range is the product of one byte
 * range per position.
 */
final class Utf8Sequences {

  static final int MAX_CODE_POINT = 0x10FFFF;
  private static final int[] LENGTH_LIMITS = {0x7F, 0x7FF, 0xFFFF, MAX_CODE_POINT};

  private Utf8Sequences() {}

  /** Each element is one sequence: {@code [position][0=lo,1=hi]} byte bounds (0..255). */
  static List<int[][]> of(int lo, int hi) {
    if (lo < 0 || hi > MAX_CODE_POINT || lo > hi) {
      throw new IllegalArgumentException("Not a code point range: " + lo + ".." + hi);
    }
    List<int[][]> out = new ArrayList<>();
    split(lo, hi, out);
    return out;
  }

  private static void split(int lo, int hi, List<int[][]> out) {
    if (lo > hi) {
      return;
    }
    if (lo <= 0xDFFF && hi >= 0xD800) {
      split(lo, 0xD7FF, out);
      split(0xE000, hi, out);
      return;
    }
    for (int i = 0; i < LENGTH_LIMITS.length - 1; i++) {
      int limit = LENGTH_LIMITS[i];
      if (lo <= limit && hi > limit) {
        split(lo, limit, out);
        split(limit + 1, hi, out);
        return;
      }
    }
    int length = encodedLength(lo);
    for (int i = 1; i < length; i++) {
      int mask = (1 << (6 * i)) - 1;
      if ((lo & ~mask) != (hi & ~mask)) {
        if ((lo & mask) != 0) {
          split(lo, lo | mask, out);
          split((lo | mask) + 1, hi, out);
          return;
        }
        if ((hi & mask) != mask) {
          split(lo, (hi & ~mask) - 1, out);
          split(hi & ~mask, hi, out);
          return;
        }
      }
    }
    byte[] a = encode(lo);
    byte[] b = encode(hi);
    int[][] sequence = new int[a.length][];
    for (int k = 0; k < a.length; k++) {
      sequence[k] = new int[] {a[k] & 0xFF, b[k] & 0xFF};
    }
    out.add(sequence);
  }

  static int encodedLength(int codePoint) {
    if (codePoint <= 0x7F) {
      return 1;
    }
    if (codePoint <= 0x7FF) {
      return 2;
    }
    return codePoint <= 0xFFFF ? 3 : 4;
  }

  static byte[] encode(int codePoint) {
    return new String(Character.toChars(codePoint)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
