package io.sluice.topology.spec;

/**
 * One routing rule.
 *
 * @param when condition in the routing expression language; null means always
 * @param to {@code local}, {@code cloud}, {@code review}, {@code drop} or {@code mqtt:<topic>}
 * @param reason forward reason for {@code cloud}; null to derive it from the condition
 * @param line line of the rule in the topology file, for errors found later
 * @param whenColumn column where the {@code when} text starts in the file (0 if unknown)
 */
public record RouteRule(String when, String to, String reason, int line, int whenColumn) {

  public RouteRule(String when, String to, String reason, int line) {
    this(when, to, reason, line, 0);
  }
}
