package io.sluice.operators.route;

import io.sluice.schemas.ForwardReason;

/**
 * Where one record goes and why.
 *
 * @param target the destination
 * @param reason why the record goes to the cloud; null unless {@code target} is cloud
 * @param ruleIndex index of the rule that matched; equal to the number of rules written when the
 *     implicit final {@code {to: local}} matched
 * @param policyBlocked true when the matching rule sent a restricted record to the cloud and the
 *     data policy kept it local instead
 */
public record RouteDecision(Target target, ForwardReason reason, int ruleIndex,
    boolean policyBlocked) {

  public RouteDecision {
    if (target == null) {
      throw new IllegalArgumentException("a decision needs a target");
    }
    if ((reason != null) != (target.kind() == Target.Kind.CLOUD)) {
      throw new IllegalArgumentException("a reason goes with the cloud target and only with it;"
          + " got target " + target + " and reason " + reason);
    }
  }
}
