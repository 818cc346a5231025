package io.sluice.operators.route;

import io.sluice.operators.Suggestions;
import io.sluice.operators.route.internal.RestrictedPolicy;
import io.sluice.operators.route.internal.TargetSyntax;
import io.sluice.schemas.ForwardReason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An ordered list of routing rules; the first rule whose condition holds decides where a record
 * goes.
 *
 * <p>Design. {@link #compile} does all the work a rule list allows without a record: it parses
 * and type-checks every condition, checks every target and reason, finds unreachable rules and
 * proves the data policy, and reports every problem at once. The policy proof: a rule that sends
 * to the cloud must either exclude restricted records itself (its condition implies
 * {@code not restricted}, e.g. {@code ... and not restricted}) or come after a rule that does not
 * send to the cloud and catches every restricted record (its condition is implied by
 * {@code restricted}, e.g. {@code restricted} or {@code restricted or ...}).
 * {@link RestrictedPolicy} does the proving, conservatively: when it cannot prove, compile fails.
 * {@link #route} then walks the rules, and checks the policy again on every record, so that even a
 * bug in the proof cannot send a restricted record to the cloud: such a record goes local with
 * {@code policyBlocked} set. A list whose last rule has a condition gets an implicit final
 * {@code {to: local}}, so every record gets exactly one decision. Instances are immutable and
 * thread-safe.
 */
public final class RoutingRules {

  private final List<Rule> rules;

  private RoutingRules(List<Rule> rules) {
    this.rules = rules;
  }

  /** A compiled rule; {@code when} is null for a rule that matches every record. */
  private record Rule(RuleSpec spec, Expression when, Target target, ForwardReason reason,
      Set<String> facts) {}

  /**
   * Compiles {@code specs} in order.
   *
   * @throws RoutingException listing every error in every rule
   */
  public static RoutingRules compile(List<RuleSpec> specs) {
    Objects.requireNonNull(specs, "rules");
    List<RuleError> errors = new ArrayList<>();
    List<Rule> rules = new ArrayList<>();
    List<Boolean> parsed = new ArrayList<>();
    int catchAll = -1;
    for (int i = 0; i < specs.size(); i++) {
      RuleSpec spec = specs.get(i);
      if (spec == null) {
        errors.add(new RuleError(i, "to", 1, "the rule is empty",
            "write {when: \"<condition>\", to: <target>}"));
        rules.add(null);
        parsed.add(false);
        continue;
      }
      Expression when = null;
      boolean whenOk = true;
      if (spec.when() != null) {
        try {
          when = Expression.parse(spec.when());
        } catch (ExpressionException e) {
          errors.add(new RuleError(i, "when", e.column(), e.problem(), e.hint()));
          whenOk = false;
        }
      }
      TargetSyntax.Parsed target = TargetSyntax.parse(spec.to());
      if (target.problem() != null) {
        TargetSyntax.Problem p = target.problem();
        errors.add(new RuleError(i, "to", p.column(), p.message(), p.hint()));
      }
      ForwardReason reason = reason(i, spec, target.target(), errors);
      if (catchAll >= 0) {
        errors.add(new RuleError(i, "when", 1, "this rule is never reached: route[" + catchAll
            + "] has no 'when' and matches every record", "give route[" + catchAll
            + "] a condition or move it to the end"));
      } else if (spec.when() == null) {
        catchAll = i;
      }
      rules.add(new Rule(spec, when, target.target(), reason,
          when == null ? Set.of() : when.identifiers()));
      parsed.add(whenOk);
    }
    checkPolicy(rules, parsed, errors);
    if (!errors.isEmpty()) {
      throw new RoutingException(errors);
    }
    if (rules.isEmpty() || rules.get(rules.size() - 1).when() != null) {
      rules.add(new Rule(RuleSpec.always("local"), null, Target.LOCAL, null, Set.of()));
    }
    return new RoutingRules(List.copyOf(rules));
  }

  /**
   * Decides where {@code record} goes: the first matching rule's target, except that a restricted
   * record never goes to the cloud.
   */
  public RouteDecision route(RecordView record) {
    Objects.requireNonNull(record, "record");
    for (int i = 0; i < rules.size(); i++) {
      Rule rule = rules.get(i);
      if (rule.when() != null && !rule.when().test(record)) {
        continue;
      }
      if (rule.target().kind() != Target.Kind.CLOUD) {
        return new RouteDecision(rule.target(), null, i, false);
      }
      if (record.restricted()) {
        return new RouteDecision(Target.LOCAL, null, i, true);
      }
      return new RouteDecision(Target.CLOUD, forwardReason(rule, record), i, false);
    }
    throw new IllegalStateException("no rule matched; the last rule always matches");
  }

  /** The rules in force, in order, including the implicit final {@code {to: local}} if added. */
  public List<RuleSpec> rules() {
    return rules.stream().map(Rule::spec).toList();
  }

  private static ForwardReason reason(int i, RuleSpec spec, Target target,
      List<RuleError> errors) {
    if (spec.reason() == null) {
      return null;
    }
    ForwardReason reason = null;
    try {
      reason = ForwardReason.valueOf(spec.reason());
    } catch (IllegalArgumentException e) {
      List<String> names = Arrays.stream(ForwardReason.values()).map(Enum::name).toList();
      errors.add(new RuleError(i, "reason", 1, "unknown reason '" + spec.reason() + "'",
          Suggestions.didYouMean(spec.reason(), names)));
    }
    if (target != null && target.kind() != Target.Kind.CLOUD) {
      errors.add(new RuleError(i, "reason", 1, "a reason only goes with to: cloud, but this rule"
          + " sends to " + target, "remove the reason or send the record to the cloud"));
    }
    return reason;
  }

  private static void checkPolicy(List<Rule> rules, List<Boolean> parsed,
      List<RuleError> errors) {
    for (int i = 0; i < rules.size(); i++) {
      Rule rule = rules.get(i);
      if (rule == null || !parsed.get(i) || rule.target() == null
          || rule.target().kind() != Target.Kind.CLOUD) {
        continue;
      }
      if (rule.when() != null && RestrictedPolicy.failsForAllRestricted(rule.when().root())) {
        continue;
      }
      if (!caughtBefore(rules, parsed, i)) {
        errors.add(new RuleError(i, "to", 1, "route[" + i + "] sends records to the cloud, but a"
            + " restricted record can reach it; restricted records never leave the gateway",
            "add {when: \"restricted\", to: local} before this rule, or add 'and not restricted'"
                + " to its condition"));
      }
    }
  }

  /** Whether a rule before {@code index} keeps every restricted record away from the cloud. */
  private static boolean caughtBefore(List<Rule> rules, List<Boolean> parsed, int index) {
    for (int j = 0; j < index; j++) {
      Rule earlier = rules.get(j);
      if (earlier == null || !parsed.get(j)) {
        continue;
      }
      boolean local = earlier.target() == null || earlier.target().kind() != Target.Kind.CLOUD;
      if (local && (earlier.when() == null
          || RestrictedPolicy.holdsForAllRestricted(earlier.when().root()))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The reason a rule without an explicit one forwards a record: from the facts its condition
   * reads that hold for the record. {@code risk} reads novelty, anomaly and confidence.
   */
  private static ForwardReason forwardReason(Rule rule, RecordView record) {
    if (rule.reason() != null) {
      return rule.reason();
    }
    Set<String> facts = rule.facts();
    boolean risk = facts.contains("risk");
    if ((risk || facts.contains("novel") || facts.contains("novelty"))
        && Boolean.TRUE.equals(record.novel())) {
      return ForwardReason.NOVEL;
    }
    if ((risk || facts.contains("anomaly") || facts.contains("anomalyScore"))
        && Boolean.TRUE.equals(record.anomaly())) {
      return ForwardReason.ANOMALY;
    }
    if (risk || facts.contains("confidence")) {
      return ForwardReason.LOW_CONFIDENCE;
    }
    if (facts.stream().anyMatch(f -> f.startsWith("fieldConfidence."))) {
      return ForwardReason.UNCERTAIN_EXTRACTION;
    }
    return ForwardReason.RULE;
  }
}
