package io.sluice.topology;

import io.sluice.inference.generate.GenerationEngine;
import io.sluice.topology.spec.Model;
import java.nio.file.Path;

/**
 * Opens the decoder models of a topology's generate steps: one {@link GenerationEngine} (one
 * continuous batcher) per declared model, shared by every step and stream thread that names it,
 * and by the HTTP API. The runtime's implementation checks each bundle against the model's trust
 * settings; {@link io.sluice.topology.testing.OpenDecoders} opens folders as they are, for tests.
 */
@FunctionalInterface
public interface Decoders {

  /**
   * The engine of {@code model}, opened on first use.
   *
   * @param baseDir folder of the topology file, for relative paths; null for bundled files
   */
  GenerationEngine engine(Model model, Path baseDir);

  /** Decoders for a runtime without any: naming one is an error. */
  static Decoders none() {
    return (model, baseDir) -> {
      throw new IllegalStateException("This runtime opens no decoder models; model '"
          + model.name() + "' cannot serve a generate step");
    };
  }
}
