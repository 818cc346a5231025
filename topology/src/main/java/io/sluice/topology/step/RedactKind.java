package io.sluice.topology.step;

import static io.sluice.topology.internal.FormatTypes.NAME_TYPE;
import static io.sluice.topology.internal.FormatTypes.line;
import static io.sluice.topology.internal.schema.Composites.listOf;
import static io.sluice.topology.internal.schema.Scalars.oneOf;
import static io.sluice.topology.internal.schema.Scalars.string;

import io.sluice.operators.redact.RedactProcessor;
import io.sluice.operators.redact.Redactor;
import io.sluice.topology.internal.schema.Composites;
import io.sluice.topology.internal.schema.ObjectType;
import io.sluice.topology.spec.Step;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The redact step: personal data replaced by [NAME] before anything can leave the gateway. */
final class RedactKind implements StepKind<Step.Redact> {

  static final ObjectType<Step.Redact> SHAPE = ObjectType.builder("RedactStep",
          "Replaces personal data in the text and the payload by [NAME] before anything can"
              + " leave the gateway.")
      .optional("patterns", listOf(oneOf(Redactor.builtInPatterns().toArray(String[]::new)), 0),
          List.of("email", "phone", "ip"), "[email, phone, ip]",
          "Built-in patterns to apply; see docs/routing.md for what each matches.")
      .optional("custom", Composites.mapOf(NAME_TYPE, string("a Java regular expression"), 0),
          Map.of(), "{}", "Your own patterns: name to regular expression.")
      .build(v -> new Step.Redact(v.get("patterns"), v.get("custom"), line(v)));

  @Override
  public String name() {
    return "redact";
  }

  @Override
  public Class<Step.Redact> stepType() {
    return Step.Redact.class;
  }

  @Override
  public ObjectType<Step.Redact> shape() {
    return SHAPE;
  }

  @Override
  public Optional<StepOperator> operator(Step.Redact step, StepContext context) {
    return Optional.of((topology, name, parent) -> topology.addProcessor(name,
        () -> new RedactProcessor(step.patterns(), step.custom(), context.registry(),
            context.pipeline().name()), parent));
  }
}
