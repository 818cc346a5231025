package io.sluice.operators.extract;

/**
 * One value found in a text.
 *
 * @param name what was found: a built-in pattern, custom pattern or gazetteer name, such as
 *     {@code measurement} or {@code part_number}
 * @param value the value: the matched text for patterns (the {@code value} group when the
 *     pattern has one), the term as listed for gazetteers
 * @param start offset of the first character in the text
 * @param end offset after the last character; {@code text.substring(start, end)} is the value
 *     as written in the text
 * @param confidence fixed per kind of source, see {@link PatternExtractor}
 */
public record Extraction(String name, String value, int start, int end, double confidence) {

  public Extraction {
    if (start < 0 || end <= start) {
      throw new IllegalArgumentException("extraction '" + name + "' has an empty or negative span "
          + start + ".." + end);
    }
    if (!(confidence >= 0 && confidence <= 1)) {
      throw new IllegalArgumentException("extraction '" + name + "' has confidence " + confidence
          + ", expected a number in [0, 1]");
    }
  }
}
