package io.sluice.runtime.openai.internal;

import java.util.List;

/**
 * The text of a streamed completion as it may be sent: the engine cuts a stop string from the
 * final text, so text that could be the start of one is held back until it cannot be, and nothing
 * from the first stop string on is ever sent. {@link #finish} reconciles with the final text.
 * One per stream; used on one thread.
 */
public final class StreamedText {

  private final List<String> stops;
  private final int holdBack;
  private final StringBuilder seen = new StringBuilder();
  private int sent;

  public StreamedText(List<String> stops) {
    this.stops = List.copyOf(stops);
    this.holdBack = stops.stream().mapToInt(String::length).max().orElse(1) - 1;
  }

  /** Takes the next piece of generated text; returns what may now be sent (often empty). */
  public String accept(String delta) {
    seen.append(delta);
    int safe = seen.length() - holdBack;
    for (String stop : stops) {
      int at = seen.indexOf(stop);
      if (at >= 0) {
        safe = Math.min(safe, at);
      }
    }
    if (safe <= sent) {
      return "";
    }
    String out = seen.substring(sent, safe);
    sent = safe;
    return out;
  }

  /** What remains to be sent once generation produced {@code finalText}. */
  public String finish(String finalText) {
    if (sent >= finalText.length()) {
      return "";
    }
    String out = finalText.substring(sent);
    sent = finalText.length();
    return out;
  }
}
