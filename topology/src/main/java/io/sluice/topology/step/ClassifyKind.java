package io.sluice.topology.step;

import static io.sluice.topology.internal.FormatTypes.LABEL_VALUE;
import static io.sluice.topology.internal.FormatTypes.MODEL_REF;
import static io.sluice.topology.internal.FormatTypes.line;
import static io.sluice.topology.internal.schema.Scalars.oneOf;
import static io.sluice.topology.internal.schema.Scalars.string;

import io.sluice.operators.infer.TextModel;
import io.sluice.topology.internal.schema.Composites;
import io.sluice.topology.internal.schema.ObjectType;
import io.sluice.topology.spec.Step;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The classify step: a label from a model, with a calibrated confidence. */
final class ClassifyKind implements StepKind<Step.Classify> {

  static final ObjectType<Step.Classify> SHAPE = ObjectType.builder("ClassifyStep",
          "Labels each text with a model, with a calibrated confidence.")
      .required("model", MODEL_REF, "A model declared under models.")
      .optional("labels", Composites.mapOf(string("[A-Za-z0-9_.:/ -]{1,64}", "a label name"),
          LABEL_VALUE, 0), Map.of(), "{}", "Labels with descriptions and examples, inline.")
      .optional("examplesFile", string("a file path"), null, null,
          "JSONL file of {\"text\": ..., \"label\": ...} lines, relative to this file.")
      .optional("head", oneOf("auto", "prototype", "trained"), "auto", "auto",
          "prototype: nearest label centroid (few examples); trained: a head trained on the"
              + " gateway (many examples); auto picks by the number of examples.")
      .check((v, reader) -> {
        if (v.<Map<String, Step.Label>>get("labels").isEmpty() && v.get("examplesFile") == null) {
          reader.error(v.node(), "classify needs labels or an examplesFile",
              "add labels: {name: [example, ...]}");
        }
      })
      .build(v -> new Step.Classify(v.get("model"), v.get("labels"), v.get("examplesFile"),
          v.get("head"), line(v)));

  @Override
  public String name() {
    return "classify";
  }

  @Override
  public Class<Step.Classify> stepType() {
    return Step.Classify.class;
  }

  @Override
  public ObjectType<Step.Classify> shape() {
    return SHAPE;
  }

  @Override
  public Optional<String> model(Step.Classify step) {
    return Optional.of(step.model());
  }

  @Override
  public void check(Step.Classify step, List<Step> earlier, StepProblems problems) {
    if (earlier.stream().anyMatch(Step.Classify.class::isInstance)) {
      problems.error("a pipeline can classify once", "remove one classify step");
    }
  }

  /** Classify and novelty share one model pass: one batched infer operator, here. */
  @Override
  public Optional<StepOperator> operator(Step.Classify step, StepContext context) {
    io.sluice.topology.spec.Model declared = context.spec().models().get(step.model());
    if (declared.openai().isPresent()) {
      io.sluice.operators.cloud.Resolver resolver = context.textModels().resolver(declared, step,
          context.baseDir());
      return Optional.of(new StepOperator() {
        @Override
        public void addTo(org.apache.kafka.streams.Topology topology, String name,
            String parent) {
          context.addResolve(topology, name, resolver, forwardsTo(name), parent);
        }

        @Override
        public String forwardsTo(String name) {
          return name + ".labelled";
        }
      });
    }
    TextModel model = context.textModels().create(declared, step, context.baseDir());
    boolean novelty = !context.pipeline().steps(Step.Novelty.class).isEmpty();
    return Optional.of((topology, name, parent) ->
        context.addInfer(topology, name, model, novelty, parent));
  }
}
