package io.sluice.operators.redact;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result of redacting one text.
 *
 * @param text the text with every match replaced by its placeholder, e.g. {@code [EMAIL]}
 * @param counts matches replaced per pattern name, for every configured pattern (0 when none), in
 *     configuration order
 */
public record Redaction(String text, Map<String, Integer> counts) {

  public Redaction {
    counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
  }

  /** Matches replaced, over all patterns. */
  public int total() {
    return counts.values().stream().mapToInt(Integer::intValue).sum();
  }
}
