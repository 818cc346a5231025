package io.sluice.operators.route;

/**
 * One routing rule as written in a topology file: {@code {when: "...", to: ..., reason: ...}}.
 *
 * @param when the condition, or null to match every record
 * @param to the target: {@code local}, {@code cloud}, {@code review}, {@code drop} or
 *     {@code mqtt:<topic>}
 * @param reason a {@code ForwardReason} name, only with {@code to: cloud}; null to infer it
 */
public record RuleSpec(String when, String to, String reason) {

  /** A rule that matches every record. */
  public static RuleSpec always(String to) {
    return new RuleSpec(null, to, null);
  }
}
