package io.sluice.topology.step;

import io.sluice.topology.internal.schema.ObjectType;
import io.sluice.topology.spec.Model;
import io.sluice.topology.spec.Step;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One kind of pipeline step, declared in one place: the YAML shape it is written in (which the
 * loader validates with, and from which the editor JSON Schema and docs/topology-reference.md are
 * generated), the checks that need the rest of the pipeline, and the operator it adds to a Kafka
 * Streams topology (whose processors register their own meters in {@link
 * StepContext#registry()}).
 *
 * <p>A new kind is a record implementing {@link Step}, a class implementing this interface, and
 * one line in {@link StepKinds#builtIn()} (or {@link StepKinds#with} for a kind of your own).
 *
 * @param <S> the step record this kind reads into
 */
public interface StepKind<S extends Step> {

  /** The key the step is written under in YAML, e.g. {@code redact}; also {@link Step#kind()}. */
  String name();

  /** The record the shape reads into. */
  Class<S> stepType();

  /** The step's fields, their types, defaults and docs; the loader reports every mistake. */
  ObjectType<S> shape();

  /** Whether the step runs on TextEvent sources (true) or SensorReading sources (false). */
  default boolean readsText() {
    return true;
  }

  /** The model the step names, checked against the file's {@code models}. */
  default Optional<String> model(S step) {
    return Optional.empty();
  }

  /**
   * Checks that need the steps before this one (each kind's own fields are checked by its
   * shape).
   */
  default void check(S step, List<Step> earlier, StepProblems problems) {}

  /**
   * Checks against the model the step names, as declared, with the folder of the topology file
   * (null when the file is not on disk, such as a bundled one) for checks that read the model's
   * files.
   */
  default void checkModel(S step, Model model, Path baseDir, StepProblems problems) {}

  /**
   * What the step adds to the topology, or empty when another step's operator does its work
   * (novelty runs inside the classify step's infer operator). Called once per pipeline, when
   * the topology is built; models are made here, so that a bundle that fails fails the build.
   */
  Optional<StepOperator> operator(S step, StepContext context);
}
