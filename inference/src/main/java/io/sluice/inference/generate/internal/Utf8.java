package io.sluice.inference.generate.internal;

/** UTF-8 helpers for text that arrives a token (not a character) at a time. */
final class Utf8 {

  private Utf8() {}

  /**
   * The length of the longest prefix of {@code bytes[0, length)} that does not end inside an
   * unfinished multi-byte character.
   */
  static int completePrefix(byte[] bytes, int length) {
    for (int back = 1; back <= Math.min(3, length); back++) {
      int b = bytes[length - back] & 0xFF;
      if ((b & 0xC0) == 0x80) {
        continue; // continuation byte: look further back for the lead byte
      }
      int needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
      return needed > back ? length - back : length;
    }
    return length;
  }
}
