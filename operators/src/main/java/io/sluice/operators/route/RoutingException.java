package io.sluice.operators.route;

import java.util.List;

/** A list of routing rules that cannot be compiled; carries every error, not only the first. */
public final class RoutingException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient List<RuleError> errors;

  public RoutingException(List<RuleError> errors) {
    super(message(errors));
    this.errors = List.copyOf(errors);
  }

  /** Every error, in rule order. */
  public List<RuleError> errors() {
    return errors;
  }

  private static String message(List<RuleError> errors) {
    StringBuilder s = new StringBuilder(errors.size() == 1 ? "1 error" : errors.size() + " errors")
        .append(" in routing rules:");
    for (RuleError e : errors) {
      s.append("\n  ").append(e);
    }
    return s.toString();
  }
}
