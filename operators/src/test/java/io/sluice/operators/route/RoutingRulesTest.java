package io.sluice.operators.route;

import static io.sluice.operators.route.TestRecord.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import io.sluice.schemas.ForwardReason;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RoutingRulesTest {

  static final List<RuleSpec> EXAMPLE = List.of(
      new RuleSpec("restricted", "local", null),
      new RuleSpec("novel or confidence < 0.7", "cloud", null),
      new RuleSpec("label == 'electrical' and payload.priority in ['high', 'urgent']",
          "mqtt:plant/alerts", null),
      new RuleSpec("anomaly", "cloud", "ANOMALY"),
      RuleSpec.always("local"));

  static RuleSpec rule(String when, String to) {
    return new RuleSpec(when, to, null);
  }

  static List<RuleError> errors(List<RuleSpec> rules) {
    RoutingException e = catchThrowableOfType(RoutingException.class,
        () -> RoutingRules.compile(rules));
    assertThat(e).as("expected %s to be refused", rules).isNotNull();
    return e.errors();
  }

  @Test
  void theExampleFromTheTopologyFormatRoutesEachKindOfRecord() {
    RoutingRules rules = RoutingRules.compile(EXAMPLE);
    assertThat(rules.route(record().restricted(true).novel(true).confidence(0.1)))
        .isEqualTo(new RouteDecision(Target.LOCAL, null, 0, false));
    assertThat(rules.route(record().novel(true).confidence(0.95)))
        .isEqualTo(new RouteDecision(Target.CLOUD, ForwardReason.NOVEL, 1, false));
    assertThat(rules.route(record().novel(false).confidence(0.5)))
        .isEqualTo(new RouteDecision(Target.CLOUD, ForwardReason.LOW_CONFIDENCE, 1, false));
    assertThat(rules.route(record().confidence(0.9).label("electrical")
        .attribute("priority", "urgent")))
        .isEqualTo(new RouteDecision(Target.mqtt("plant/alerts"), null, 2, false));
    assertThat(rules.route(record().anomaly(true).anomalyScore(0.97)))
        .isEqualTo(new RouteDecision(Target.CLOUD, ForwardReason.ANOMALY, 3, false));
    assertThat(rules.route(record().confidence(0.9).label("mechanical")))
        .isEqualTo(new RouteDecision(Target.LOCAL, null, 4, false));
    assertThat(rules.rules()).isEqualTo(EXAMPLE);
  }

  @Test
  void aListEndingInAConditionGetsAnImplicitFinalLocalRule() {
    RoutingRules rules = RoutingRules.compile(List.of(rule("novel and not restricted", "cloud")));
    assertThat(rules.rules()).containsExactly(rule("novel and not restricted", "cloud"),
        RuleSpec.always("local"));
    assertThat(rules.route(record().novel(false)))
        .isEqualTo(new RouteDecision(Target.LOCAL, null, 1, false));

    RoutingRules none = RoutingRules.compile(List.of());
    assertThat(none.rules()).containsExactly(RuleSpec.always("local"));
    assertThat(none.route(record().novel(true)).target()).isEqualTo(Target.LOCAL);
  }

  @Test
  void everyErrorIsReportedAtOnceWithRuleFieldAndColumn() {
    List<RuleSpec> rules = new ArrayList<>();
    rules.add(rule("restricted", "local"));
    rules.add(rule("confidance < 0.7", "cloud"));
    rules.add(rule("novel", "clod"));
    rules.add(new RuleSpec("anomaly", "cloud", "anomaly"));
    rules.add(new RuleSpec("label == 'x'", "review", "RULE"));
    rules.add(null);
    rules.add(RuleSpec.always("local"));
    rules.add(rule("novel", "cloud"));
    RoutingException e = catchThrowableOfType(RoutingException.class,
        () -> RoutingRules.compile(rules));
    assertThat(e.errors()).extracting(RuleError::ruleIndex, RuleError::field, RuleError::column)
        .containsExactly(
            tuple(1, "when", 1),
            tuple(2, "to", 1),
            tuple(3, "reason", 1),
            tuple(4, "reason", 1),
            tuple(5, "to", 1),
            tuple(7, "when", 1));
    assertThat(e.errors().get(0).hint()).isEqualTo("did you mean 'confidence'?");
    assertThat(e.errors().get(1).message()).isEqualTo("unknown target 'clod'");
    assertThat(e.errors().get(1).hint()).isEqualTo("did you mean 'cloud'?");
    assertThat(e.errors().get(2).hint()).isEqualTo("did you mean 'ANOMALY'?");
    assertThat(e.errors().get(3).message()).contains("only goes with to: cloud")
        .contains("review");
    assertThat(e.errors().get(5).message()).contains("never reached")
        .contains("route[6] has no 'when'");
    assertThat(e.getMessage()).startsWith("6 errors in routing rules:")
        .contains("route[1].when column 1: unknown identifier 'confidance'");
  }

  @Test
  void aCloudRuleThatRestrictedRecordsCanReachIsRefused() {
    List<RuleError> errors = errors(List.of(rule("novel or confidence < 0.7", "cloud")));
    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.ruleIndex()).isZero();
      assertThat(e.field()).isEqualTo("to");
      assertThat(e.message()).contains("restricted record can reach it");
      assertThat(e.hint()).contains("{when: \"restricted\", to: local}")
          .contains("'and not restricted'");
    });
    assertThat(errors(List.of(RuleSpec.always("cloud")))).hasSize(1);
  }

  @Test
  void restrictedRecordsMustBeCaughtByAnEarlierRuleThatKeepsThemOnTheGateway() {
    for (String target : List.of("local", "review", "drop", "mqtt:plant/alerts")) {
      assertThatCode(() -> RoutingRules.compile(List.of(rule("restricted", target),
          RuleSpec.always("cloud")))).as(target).doesNotThrowAnyException();
    }
    assertThatCode(() -> RoutingRules.compile(List.of(
        rule("label == 'secret' or restricted", "review"), rule("novel", "cloud"))))
        .doesNotThrowAnyException();
    assertThatCode(() -> RoutingRules.compile(List.of(
        rule("(restricted)", "local"), rule("restricted == true", "drop"),
        rule("novel", "cloud")))).doesNotThrowAnyException();
    // catches only some restricted records
    assertThat(errors(List.of(rule("restricted and novel", "local"), rule("novel", "cloud"))))
        .extracting(RuleError::ruleIndex).containsExactly(1);
    // a rule that sends restricted records to the cloud catches nothing: both are refused
    assertThat(errors(List.of(rule("restricted", "cloud"), RuleSpec.always("cloud"))))
        .extracting(RuleError::ruleIndex).containsExactly(0, 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "novel and not restricted",
      "not restricted and (novel or confidence < 0.7)",
      "novel and restricted == false",
      "restricted != true and anomaly",
      "not (restricted or novel)",
      "(novel and not restricted) or (anomaly and not restricted)",
      "false"})
  void aCloudRuleWhoseConditionExcludesRestrictedRecordsIsAccepted(String when) {
    assertThatCode(() -> RoutingRules.compile(List.of(rule(when, "cloud"))))
        .doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "novel or not restricted",
      "not (restricted and novel)",
      "(novel and not restricted) or anomaly",
      "payload.restricted == 'false'",
      "restricted or novel"})
  void aCloudRuleThatMayLetARestrictedRecordThroughIsRefused(String when) {
    assertThat(errors(List.of(rule(when, "cloud")))).singleElement()
        .extracting(RuleError::field).isEqualTo("to");
  }

  @Test
  void theRouterKeepsARestrictedRecordLocalEvenIfTheStaticCheckWereWrong() {
    // A record whose restricted flag flips after the first read: the static proof relied on
    // rule 0 catching it, the run-time check still keeps it off the cloud.
    TestRecord flipping = new TestRecord() {
      int reads;

      @Override
      public boolean restricted() {
        return reads++ > 0;
      }
    };
    flipping.novel(true);
    RoutingRules rules = RoutingRules.compile(List.of(rule("restricted", "local"),
        rule("novel", "cloud")));
    assertThat(rules.route(flipping))
        .isEqualTo(new RouteDecision(Target.LOCAL, null, 1, true));
  }

  @Test
  void inferredForwardReasonFollowsTheFactsTheRuleReadsThatHoldForTheRecord() {
    RoutingRules novelOrConfidence = RoutingRules.compile(List.of(
        rule("restricted", "local"), rule("novel or confidence < 0.7", "cloud")));
    assertThat(novelOrConfidence.route(record().novel(true).confidence(0.1)).reason())
        .isEqualTo(ForwardReason.NOVEL);
    assertThat(novelOrConfidence.route(record().novel(false).confidence(0.1)).reason())
        .isEqualTo(ForwardReason.LOW_CONFIDENCE);

    RoutingRules anomaly = RoutingRules.compile(List.of(
        rule("anomalyScore > 0.8 and not restricted", "cloud")));
    assertThat(anomaly.route(record().anomalyScore(0.9).anomaly(true)).reason())
        .isEqualTo(ForwardReason.ANOMALY);
    assertThat(anomaly.route(record().anomalyScore(0.9).anomaly(false)).reason())
        .isEqualTo(ForwardReason.RULE);

    RoutingRules fields = RoutingRules.compile(List.of(
        rule("fieldConfidence.part_number < 0.5 and not restricted", "cloud")));
    assertThat(fields.route(record().field("part_number", "4471-220", 0.3)).reason())
        .isEqualTo(ForwardReason.UNCERTAIN_EXTRACTION);

    RoutingRules label = RoutingRules.compile(List.of(
        rule("label == 'electrical' and not restricted", "cloud")));
    assertThat(label.route(record().label("electrical").novel(true)).reason())
        .isEqualTo(ForwardReason.RULE);
  }

  @Test
  void riskReadsNoveltyAnomalyAndConfidence() {
    RoutingRules risk = RoutingRules.compile(List.of(rule("risk > 0.5 and not restricted",
        "cloud")));
    assertThat(risk.route(record().novel(true).confidence(0.9)).reason())
        .isEqualTo(ForwardReason.NOVEL);
    assertThat(risk.route(record().anomaly(true).anomalyScore(0.8)).reason())
        .isEqualTo(ForwardReason.ANOMALY);
    assertThat(risk.route(record().confidence(0.3)).reason())
        .isEqualTo(ForwardReason.LOW_CONFIDENCE);
  }

  @Test
  void anExplicitReasonWinsAndARuleWithoutConditionForwardsForRule() {
    RoutingRules rules = RoutingRules.compile(List.of(rule("restricted", "local"),
        new RuleSpec("novel", "cloud", "POLICY"), RuleSpec.always("cloud")));
    assertThat(rules.route(record().novel(true)).reason()).isEqualTo(ForwardReason.POLICY);
    assertThat(rules.route(record().novel(false)).reason()).isEqualTo(ForwardReason.RULE);
  }

  @Test
  void targetsParseAndPrintAsWritten() {
    for (String text : List.of("local", "cloud", "review", "drop", "mqtt:plant/alerts",
        "mqtt:a//b", "mqtt:/leading")) {
      assertThat(Target.parse(text).toString()).isEqualTo(text);
    }
    assertThat(Target.parse("mqtt:plant/alerts")).isEqualTo(Target.mqtt("plant/alerts"));
    assertThat(Target.parse("review").kind()).isEqualTo(Target.Kind.REVIEW);
  }

  @Test
  void badTargetsNameTheProblem() {
    assertThat(errors(List.of(rule("restricted", "mqtt:plant/+/alerts"))))
        .singleElement().satisfies(e -> {
          assertThat(e.column()).isEqualTo(12);
          assertThat(e.message()).contains("wildcard '+'");
        });
    assertThat(errors(List.of(rule("restricted", "mqtt:alerts/#")))).singleElement()
        .extracting(RuleError::column).isEqualTo(13);
    assertThat(errors(List.of(rule("restricted", "mqtt:")))).singleElement()
        .extracting(RuleError::message).isEqualTo("the MQTT topic is empty");
    assertThat(errors(List.of(rule("restricted", "mqtt:$SYS/x")))).singleElement()
        .extracting(RuleError::hint).asString().contains("reserved for the broker");
    assertThat(errors(List.of(rule("restricted", "mqtt: plant/alerts")))).singleElement()
        .extracting(RuleError::hint).isEqualTo("write mqtt:plant/alerts");
    assertThat(errors(List.of(rule("restricted", "Cloud")))).singleElement()
        .extracting(RuleError::hint).isEqualTo("did you mean 'cloud'?");
    assertThat(errors(List.of(rule("restricted", "mqt:alerts")))).singleElement()
        .extracting(RuleError::hint).isEqualTo("did you mean 'mqtt:alerts'?");
    assertThat(errors(List.of(rule("restricted", null)))).singleElement()
        .extracting(RuleError::message).isEqualTo("a rule needs a target in 'to'");
    assertThatThrownBy(() -> Target.mqtt("a/+")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("wildcard");
    assertThatThrownBy(() -> Target.parse("elsewhere"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown target 'elsewhere'");
    assertThatThrownBy(() -> new Target(Target.Kind.LOCAL, "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anEmptyConditionIsAnErrorRatherThanAlways() {
    assertThat(errors(List.of(rule(" ", "local")))).singleElement().satisfies(e -> {
      assertThat(e.field()).isEqualTo("when");
      assertThat(e.message()).isEqualTo("empty condition");
      assertThat(e.hint()).contains("leave out 'when'");
    });
  }

  @Test
  void aDecisionCarriesAReasonOnlyForTheCloud() {
    assertThatThrownBy(() -> new RouteDecision(Target.LOCAL, ForwardReason.RULE, 0, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RouteDecision(Target.CLOUD, null, 0, false))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
