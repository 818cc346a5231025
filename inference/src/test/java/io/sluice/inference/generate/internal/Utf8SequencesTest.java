package io.sluice.inference.generate.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The byte-range sequences of a code point range accept exactly its UTF-8 encodings. */
class Utf8SequencesTest {

  @Property(tries = 300)
  void acceptsExactlyTheRange(@ForAll @IntRange(min = 0, max = 0x10FFFF) int lo,
      @ForAll @IntRange(min = 0, max = 5000) int width,
      @ForAll @IntRange(min = -300, max = 5300) int probeOffset) {
    int hi = Math.min(0x10FFFF, lo + width);
    List<int[][]> sequences = Utf8Sequences.of(lo, hi);
    for (int c = Math.max(0, lo - 300); c <= Math.min(0x10FFFF, hi + 300); c += 7) {
      check(sequences, lo, hi, c);
    }
    int probe = lo + probeOffset;
    if (probe >= 0 && probe <= 0x10FFFF) {
      check(sequences, lo, hi, probe);
    }
  }

  @Property(tries = 50)
  void boundariesOfEncodingLengths(@ForAll("boundaries") int boundary) {
    List<int[][]> sequences = Utf8Sequences.of(boundary - 2, boundary + 2);
    for (int c = boundary - 5; c <= boundary + 5; c++) {
      check(sequences, boundary - 2, boundary + 2, c);
    }
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<Integer> boundaries() {
    return net.jqwik.api.Arbitraries.of(0x80, 0x800, 0xD800, 0xE000, 0x10000, 0x10FFFD);
  }

  private static void check(List<int[][]> sequences, int lo, int hi, int c) {
    if (c < 0 || c > 0x10FFFF) {
      return;
    }
    boolean surrogate = c >= 0xD800 && c <= 0xDFFF;
    boolean expected = c >= lo && c <= hi && !surrogate;
    if (surrogate) {
      // No surrogate has a UTF-8 encoding; make sure no sequence spans one's would-be bytes.
      byte[] fake = {(byte) (0xE0 | (c >> 12)), (byte) (0x80 | ((c >> 6) & 0x3F)),
          (byte) (0x80 | (c & 0x3F))};
      assertThat(matchesAny(sequences, fake)).as("U+%X", c).isFalse();
      return;
    }
    assertThat(matchesAny(sequences, Utf8Sequences.encode(c)))
        .as("U+%X in %X..%X", c, lo, hi).isEqualTo(expected);
  }

  private static boolean matchesAny(List<int[][]> sequences, byte[] bytes) {
    int hits = 0;
    for (int[][] sequence : sequences) {
      if (sequence.length != bytes.length) {
        continue;
      }
      boolean all = true;
      for (int i = 0; i < bytes.length; i++) {
        int b = bytes[i] & 0xFF;
        all &= b >= sequence[i][0] && b <= sequence[i][1];
      }
      hits += all ? 1 : 0;
    }
    assertThat(hits).as("sequences are disjoint").isLessThanOrEqualTo(1);
    return hits == 1;
  }
}
