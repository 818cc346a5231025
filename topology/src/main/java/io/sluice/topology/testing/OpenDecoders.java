package io.sluice.topology.testing;

import io.sluice.inference.SessionSettings;
import io.sluice.inference.generate.CausalLm;
import io.sluice.inference.generate.DecoderOptions;
import io.sluice.inference.generate.EngineSettings;
import io.sluice.inference.generate.GenerationEngine;
import io.sluice.topology.Decoders;
import io.sluice.topology.spec.Model;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Decoders opened from their folders without any trust check, one engine per model name: for
 * tests and the lab, never for a gateway (the runtime's own checks bundles). Close it after the
 * topology that uses it.
 */
public final class OpenDecoders implements Decoders, AutoCloseable {

  private final EngineSettings settings;
  private final Map<String, GenerationEngine> engines = new LinkedHashMap<>();

  public OpenDecoders(EngineSettings settings) {
    this.settings = settings;
  }

  @Override
  public synchronized GenerationEngine engine(Model model, Path baseDir) {
    return engines.computeIfAbsent(model.name(), name -> {
      Path folder = baseDir == null ? Path.of(model.bundle()) : baseDir.resolve(model.bundle());
      CausalLm lm = CausalLm.open(folder, new DecoderOptions(
          model.file().orElse(DecoderOptions.FP32), SessionSettings.threads(model.threads()),
          Optional.empty()));
      return new GenerationEngine(lm, settings);
    });
  }

  /** The engines opened so far, by model name. */
  public synchronized Map<String, GenerationEngine> engines() {
    return Map.copyOf(engines);
  }

  @Override
  public synchronized void close() {
    for (GenerationEngine engine : engines.values()) {
      engine.close();
      engine.model().close();
    }
    engines.clear();
  }
}
