package io.sluice.operators.route.internal;

import io.sluice.operators.Suggestions;
import io.sluice.operators.route.Target;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Checks the text of a rule's {@code to}. MQTT topic names follow the MQTT 3.1.1 and 5.0 rules
 * for names a client publishes to: at least one character, at most 65,535 bytes of UTF-8, no
 * wildcard ({@code +}, {@code #}) and no NUL; topics starting with {@code $} belong to the broker.
 * Leading or trailing spaces are refused too: they are legal in MQTT but almost always a typo
 * ({@code mqtt: plant/alerts}).
 */
public final class TargetSyntax {

  private static final List<String> NAMES = List.of("local", "cloud", "review", "drop", "mqtt");

  private TargetSyntax() {}

  /**
   * A problem with a target.
   *
   * @param column 1-based column in the target text
   */
  public record Problem(int column, String message, String hint) {}

  /** A target or the problem that prevented it. */
  public record Parsed(Target target, Problem problem) {}

  /** Parses {@code text}; exactly one of the result's parts is set. */
  public static Parsed parse(String text) {
    if (text == null || text.isBlank()) {
      return new Parsed(null, new Problem(1, "a rule needs a target in 'to'",
          "one of local, cloud, review, drop or mqtt:<topic>"));
    }
    switch (text) {
      case "local":
        return new Parsed(Target.LOCAL, null);
      case "cloud":
        return new Parsed(Target.CLOUD, null);
      case "review":
        return new Parsed(Target.REVIEW, null);
      case "drop":
        return new Parsed(Target.DROP, null);
      default:
        break;
    }
    if (text.startsWith("mqtt:")) {
      Problem problem = checkTopic(text.substring(5), 5);
      return problem != null ? new Parsed(null, problem)
          : new Parsed(Target.mqtt(text.substring(5)), null);
    }
    int colon = text.indexOf(':');
    String head = colon < 0 ? text : text.substring(0, colon);
    String near = Suggestions.nearest(head, NAMES);
    String hint = near == null ? "one of local, cloud, review, drop or mqtt:<topic>"
        : near.equals("mqtt") ? "did you mean 'mqtt:" + (colon < 0 ? "<topic>"
            : text.substring(colon + 1)) + "'?"
        : "did you mean '" + near + "'?";
    return new Parsed(null, new Problem(1, "unknown target '" + text + "'", hint));
  }

  /**
   * Checks an MQTT topic name.
   *
   * @param offset characters before the topic in the text the column counts in
   * @return the problem, or null when the topic is a valid name to publish to
   */
  public static Problem checkTopic(String topic, int offset) {
    if (topic == null || topic.isEmpty()) {
      return new Problem(offset + 1, "the MQTT topic is empty", "e.g. mqtt:plant/alerts");
    }
    for (int i = 0; i < topic.length(); i++) {
      char c = topic.charAt(i);
      if (c == '+' || c == '#') {
        return new Problem(offset + i + 1, "MQTT topic '" + topic + "' contains the wildcard '"
            + c + "'", "wildcards subscribe to topics; a target publishes to one topic name");
      }
      if (c == '\0') {
        return new Problem(offset + i + 1, "MQTT topic contains a NUL character", "");
      }
    }
    if (Character.isWhitespace(topic.charAt(0))
        || Character.isWhitespace(topic.charAt(topic.length() - 1))) {
      return new Problem(offset + 1, "MQTT topic '" + topic + "' starts or ends with a space",
          "write mqtt:" + topic.strip());
    }
    if (topic.startsWith("$")) {
      return new Problem(offset + 1, "MQTT topic '" + topic + "' starts with '$'",
          "topics starting with $ (such as $SYS) are reserved for the broker");
    }
    if (topic.getBytes(StandardCharsets.UTF_8).length > 65_535) {
      return new Problem(offset + 1, "MQTT topic is longer than 65,535 bytes", "");
    }
    return null;
  }
}
