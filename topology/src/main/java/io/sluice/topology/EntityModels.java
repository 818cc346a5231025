package io.sluice.topology;

import io.sluice.operators.extract.EntityModel;
import io.sluice.topology.spec.Model;
import io.sluice.topology.spec.Step;
import java.nio.file.Path;
import java.util.List;

/**
 * Makes the entity models a topology's extract steps run. The runtime's implementation loads
 * bundles and trains or loads heads through the inference module; tests pass fakes.
 */
@FunctionalInterface
public interface EntityModels {

  /**
   * A model for one extract step that names one.
   *
   * @param model the declared model
   * @param extract the step: model type, train file, head file, level
   * @param baseDir folder of the topology file, for relative paths; null for bundled files
   */
  EntityModel create(Model model, Step.Extract extract, Path baseDir);

  /** For runtimes without entity models: any extract step that names a model is refused. */
  static EntityModels none() {
    return (model, extract, baseDir) -> {
      throw new TopologyException(List.of(new TopologyError("", extract.line(), 0,
          "extract.model", "this runtime cannot run entity model '" + model.name() + "'",
          "run the topology with the sluice runtime, which loads entity models")));
    };
  }
}
