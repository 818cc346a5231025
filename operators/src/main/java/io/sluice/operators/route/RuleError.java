package io.sluice.operators.route;

/**
 * One mistake in a list of routing rules.
 *
 * @param ruleIndex 0-based index of the rule in the list (the YAML path {@code route[i]})
 * @param field the field at fault: {@code "when"}, {@code "to"} or {@code "reason"}
 * @param column 1-based column within that field's text
 * @param message what is wrong, naming the offending text
 * @param hint what to write instead, or empty
 */
public record RuleError(int ruleIndex, String field, int column, String message, String hint) {

  @Override
  public String toString() {
    return "route[" + ruleIndex + "]." + field + " column " + column + ": " + message
        + (hint.isEmpty() ? "" : " (hint: " + hint + ")");
  }
}
