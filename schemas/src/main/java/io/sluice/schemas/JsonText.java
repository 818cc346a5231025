package io.sluice.schemas;

/**
 * Writes JSON string literals, for the connectors and operators that build small JSON records
 * (readings) by hand on their hot path instead of through an object mapper.
 */
public final class JsonText {

  private JsonText() {}

  /** Appends {@code s} as a JSON string literal, quotes and escapes included. */
  public static StringBuilder quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"');
  }
}
