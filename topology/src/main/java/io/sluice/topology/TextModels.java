package io.sluice.topology;

import io.sluice.operators.infer.TextModel;
import io.sluice.topology.spec.Model;
import io.sluice.topology.spec.Step;
import java.nio.file.Path;

/**
 * Makes the models a topology's classify (and novelty) steps run. The runtime's implementation
 * loads bundles through the inference module; tests pass fakes.
 */
@FunctionalInterface
public interface TextModels {

  /**
   * A model for one classify step.
   *
   * @param model the declared model
   * @param classify the step: labels, examples file, head
   * @param baseDir folder of the topology file, for relative paths; null for bundled files
   */
  TextModel create(Model model, Step.Classify classify, Path baseDir);

  /**
   * The resolver of a Cloud topology whose {@code resolve.classify} names a model of kind
   * openai: asks the remote model for one label of the step's label set.
   *
   * @throws IllegalStateException from runtimes that call no remote models
   */
  default io.sluice.operators.cloud.Resolver resolver(Model model, Step.Classify classify,
      Path baseDir) {
    throw new IllegalStateException("This runtime calls no remote models; model '"
        + model.name() + "' is of kind openai");
  }
}
