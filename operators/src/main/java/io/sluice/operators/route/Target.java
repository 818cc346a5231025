package io.sluice.operators.route;

import io.sluice.operators.route.internal.TargetSyntax;
import java.util.Objects;

/**
 * Where a routing rule sends a record: {@code local}, {@code cloud}, {@code review}, {@code drop},
 * or {@code mqtt:<topic>} (publish to an MQTT topic, typically an alert).
 *
 * @param kind the kind of destination
 * @param topic the MQTT topic name for {@link Kind#MQTT}, else null
 */
public record Target(Kind kind, String topic) {

  /** The kinds of destination. */
  public enum Kind { LOCAL, CLOUD, REVIEW, DROP, MQTT }

  /** Keep the result on the gateway. */
  public static final Target LOCAL = new Target(Kind.LOCAL, null);
  /** Forward to the cloud tier (never for restricted records). */
  public static final Target CLOUD = new Target(Kind.CLOUD, null);
  /** Hold for a person to review. */
  public static final Target REVIEW = new Target(Kind.REVIEW, null);
  /** Discard. */
  public static final Target DROP = new Target(Kind.DROP, null);

  public Target {
    Objects.requireNonNull(kind, "kind");
    if (kind == Kind.MQTT) {
      TargetSyntax.Problem problem = TargetSyntax.checkTopic(topic, 0);
      if (problem != null) {
        throw new IllegalArgumentException(problem.message()
            + (problem.hint().isEmpty() ? "" : " (hint: " + problem.hint() + ")"));
      }
    } else if (topic != null) {
      throw new IllegalArgumentException("only mqtt targets have a topic, not " + kind);
    }
  }

  /** Publish to MQTT topic {@code topic} (a topic name: no wildcards). */
  public static Target mqtt(String topic) {
    return new Target(Kind.MQTT, topic);
  }

  /**
   * Parses a target as written in a rule's {@code to}.
   *
   * @throws IllegalArgumentException naming the bad target and what is expected
   */
  public static Target parse(String text) {
    TargetSyntax.Parsed parsed = TargetSyntax.parse(text);
    if (parsed.problem() != null) {
      throw new IllegalArgumentException(parsed.problem().message()
          + (parsed.problem().hint().isEmpty() ? "" : " (hint: " + parsed.problem().hint() + ")"));
    }
    return parsed.target();
  }

  /** The target as written in a rule: {@code local}, ..., {@code mqtt:plant/alerts}. */
  @Override
  public String toString() {
    return kind == Kind.MQTT ? "mqtt:" + topic : kind.name().toLowerCase(java.util.Locale.ROOT);
  }
}
