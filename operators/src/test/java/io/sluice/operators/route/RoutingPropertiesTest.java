package io.sluice.operators.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Builders;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/** Properties of the router over random rule lists and random records. */
class RoutingPropertiesTest {

  static final List<String> ATOMS = List.of("restricted", "not restricted", "novel", "anomaly",
      "confidence < 0.7", "confidence >= 0.9", "risk > 0.5", "label == 'electrical'",
      "payload.priority in ['high', 'urgent']", "fieldConfidence.part_number < 0.5",
      "restricted == false", "restricted != false", "true", "false", "anomalyScore > 0.8",
      "text ~ 'leak'", "payload.count > 3");

  static final List<String> TARGETS =
      List.of("local", "cloud", "cloud", "review", "drop", "mqtt:plant/alerts");

  @Provide
  Arbitrary<String> conditions() {
    return Arbitraries.recursive(() -> Arbitraries.of(ATOMS), c -> Arbitraries.oneOf(
        c.map(x -> "not (" + x + ")"),
        Combinators.combine(c, c).as((a, b) -> "(" + a + ") and (" + b + ")"),
        Combinators.combine(c, c).as((a, b) -> "(" + a + ") or (" + b + ")")), 0, 3);
  }

  /**
   * Rule lists of up to six rules; about half start with a rule that keeps restricted records
   * local, and some cloud rules exclude them, so that many lists pass the static check.
   */
  @Provide
  Arbitrary<List<RuleSpec>> ruleLists() {
    Arbitrary<RuleSpec> rule = Combinators.combine(conditions().injectNull(0.1),
        Arbitraries.of(TARGETS), Arbitraries.of(true, false)).as((when, to, exclude) ->
        new RuleSpec(exclude && when != null && to.equals("cloud")
            ? "(" + when + ") and not restricted" : when, to, null));
    return Combinators.combine(Arbitraries.of(true, false), rule.list().ofMaxSize(6))
        .as((guard, rules) -> {
          List<RuleSpec> all = new ArrayList<>();
          if (guard) {
            all.add(new RuleSpec("restricted", "local", null));
          }
          all.addAll(rules);
          return all;
        });
  }

  @Provide
  Arbitrary<TestRecord> records() {
    Arbitrary<Double> unit = Arbitraries.doubles().between(0, 1).injectNull(0.2);
    Arbitrary<Boolean> flag = Arbitraries.of(true, false).injectNull(0.2);
    return Builders.withBuilder(TestRecord::new)
        .use(unit).in(TestRecord::confidence)
        .use(flag).in(TestRecord::novel)
        .use(Arbitraries.of(true, false)).in(TestRecord::restricted)
        .use(flag).in(TestRecord::anomaly)
        .use(unit).in(TestRecord::anomalyScore)
        .use(Arbitraries.of("electrical", "mechanical").injectNull(0.3)).in(TestRecord::label)
        .use(Arbitraries.of("high", "low", "urgent", "7", "2.5").injectNull(0.3))
        .in((r, v) -> r.attribute("priority", v).attribute("count", v))
        .use(Arbitraries.doubles().between(0, 1).injectNull(0.5))
        .in((r, v) -> v == null ? r : r.field("part_number", "4471-220", v))
        .use(Arbitraries.of("valve leaking", "all fine").injectNull(0.2)).in(TestRecord::text)
        .build();
  }

  @Property(tries = 500)
  void restrictedRecordsNeverGoToTheCloudAndEveryRecordGetsExactlyOneDecision(
      @ForAll("ruleLists") List<RuleSpec> specs,
      @ForAll List<@From("records") TestRecord> records) {
    // not vacuous: a good share of the random lists must pass the static check
    Statistics.label("compiled").coverage(c -> c.check(true).percentage(p -> p > 25));
    RoutingRules rules;
    try {
      rules = RoutingRules.compile(specs);
    } catch (RoutingException e) {
      Statistics.label("compiled").collect(false);
      Assume.that(false);
      return;
    }
    Statistics.label("compiled").collect(true);
    List<RuleSpec> effective = rules.rules();
    assertThat(effective.get(effective.size() - 1).when()).isNull();
    for (TestRecord record : records) {
      RouteDecision decision = rules.route(record);
      if (record.restricted()) {
        assertThat(decision.target().kind()).isNotEqualTo(Target.Kind.CLOUD);
      }
      // the static proof is sound: the run-time guard never has to step in
      assertThat(decision.policyBlocked()).isFalse();
      // the decision is the first rule that matches, and its target
      int index = decision.ruleIndex();
      for (int i = 0; i < index; i++) {
        assertThat(matches(effective.get(i), record)).as("rule %d before %d", i, index).isFalse();
      }
      assertThat(matches(effective.get(index), record)).isTrue();
      assertThat(decision.target()).isEqualTo(Target.parse(effective.get(index).to()));
      assertThat(decision.reason() != null)
          .isEqualTo(decision.target().kind() == Target.Kind.CLOUD);
    }
  }

  @Property(tries = 500)
  void operatorsCombineTheirOperandsAsBooleanLogic(@ForAll("conditions") String a,
      @ForAll("conditions") String b, @ForAll("records") TestRecord record) {
    boolean x = Expression.parse(a).test(record);
    boolean y = Expression.parse(b).test(record);
    assertThat(Expression.parse("not (" + a + ")").test(record)).isEqualTo(!x);
    assertThat(Expression.parse("(" + a + ") and (" + b + ")").test(record)).isEqualTo(x && y);
    assertThat(Expression.parse("(" + a + ") or (" + b + ")").test(record)).isEqualTo(x || y);
  }

  @Property(tries = 2_000)
  void anyTextEitherParsesOrFailsWithAColumnInsideIt(@ForAll("noise") String text) {
    try {
      Expression e = Expression.parse(text);
      e.test(new TestRecord());
    } catch (ExpressionException e) {
      assertThat(e.column()).isBetween(1, text.length() + 1);
      assertThat(e.problem()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<String> noise() {
    Arbitrary<String> words = Arbitraries.of("novel", "confidence", "label", "payload.x",
        "restricted", "and", "or", "not", "in", "(", ")", "[", "]", ",", "'a'", "\"b\"", "0.7",
        "-3", "==", "!=", "<", "<=", ">", ">=", "~", "'[a-'", "true", "kind", "'TEXT'", "=",
        "!", "'", "\\", "risk", "x.y", "1e5", ".", "fields.", "@");
    return words.list().ofMaxSize(12).map(w -> String.join(" ", w));
  }

  private static boolean matches(RuleSpec spec, RecordView record) {
    return spec.when() == null || Expression.parse(spec.when()).test(record);
  }
}
