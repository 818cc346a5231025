package io.sluice.app.runtime;

import io.sluice.topology.TextModels;
import io.sluice.topology.TopologyError;
import io.sluice.topology.TopologyException;
import java.util.List;

/** Where the runtime gets the models of classify steps. */
public final class Models {

  private Models() {}

  /**
   * The classifier models. Until the inference module's classifier is wired in, a topology
   * with a classify step is refused with a clear error.
   */
  public static TextModels textModels() {
    return (model, classify, baseDir) -> {
      throw new TopologyException(List.of(new TopologyError("", classify.line(), 0,
          "classify", "classify steps are not available in this build yet",
          "remove the classify and novelty steps")));
    };
  }
}
