package io.sluice.topology.step;

import static io.sluice.topology.internal.FormatTypes.MODEL_REF;
import static io.sluice.topology.internal.FormatTypes.line;

import io.sluice.topology.internal.schema.ObjectType;
import io.sluice.topology.spec.Step;
import java.util.List;
import java.util.Optional;

/** The novelty step: how unlike the known examples a text is. */
final class NoveltyKind implements StepKind<Step.Novelty> {

  static final ObjectType<Step.Novelty> SHAPE = ObjectType.builder("NoveltyStep",
          "Scores how unlike the known examples a text is; the threshold is derived from the"
              + " examples, never hard-coded.")
      .required("model", MODEL_REF, "A model declared under models (the classify step's).")
      .build(v -> new Step.Novelty(v.get("model"), line(v)));

  @Override
  public String name() {
    return "novelty";
  }

  @Override
  public Class<Step.Novelty> stepType() {
    return Step.Novelty.class;
  }

  @Override
  public ObjectType<Step.Novelty> shape() {
    return SHAPE;
  }

  @Override
  public Optional<String> model(Step.Novelty step) {
    return Optional.of(step.model());
  }

  @Override
  public void check(Step.Novelty step, List<Step> earlier, StepProblems problems) {
    boolean classified = earlier.stream().anyMatch(s -> s instanceof Step.Classify c
        && c.model().equals(step.model()));
    if (!classified) {
      problems.error("novelty needs a classify step with model '" + step.model()
          + "' before it in this pipeline: its examples are what novelty compares with",
          "add a classify step before novelty");
    }
  }

  /** Novelty runs inside the classify step's infer operator; it adds none of its own. */
  @Override
  public Optional<StepOperator> operator(Step.Novelty step, StepContext context) {
    return Optional.empty();
  }
}
