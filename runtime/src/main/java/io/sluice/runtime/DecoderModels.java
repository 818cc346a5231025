package io.sluice.runtime;

import io.sluice.inference.BundleVerification;
import io.sluice.inference.ModelBundle;
import io.sluice.inference.SessionSettings;
import io.sluice.inference.generate.CausalLm;
import io.sluice.inference.generate.DecoderOptions;
import io.sluice.inference.generate.EngineSettings;
import io.sluice.inference.generate.GenerationEngine;
import io.sluice.topology.Decoders;
import io.sluice.topology.spec.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decoder models of a runtime's generate steps: one {@link GenerationEngine} (one continuous
 * batcher, one worker thread) per model name, opened on first use and shared by every step,
 * stream thread and the OpenAI-compatible API. A folder with {@code bundle.json} is verified
 * against the model's trust settings before it runs, as encoder bundles are; an export folder
 * without one runs only with {@code allowUnsigned} (development), with a warning.
 */
public final class DecoderModels implements Decoders, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DecoderModels.class);

  private final EngineSettings settings;
  private final Map<String, GenerationEngine> engines = new LinkedHashMap<>();
  private final Map<String, BundleVerification> trust = new LinkedHashMap<>();

  public DecoderModels(EngineSettings settings) {
    this.settings = settings;
  }

  @Override
  public synchronized GenerationEngine engine(Model model, Path baseDir) {
    GenerationEngine open = engines.get(model.name());
    if (open != null) {
      return open;
    }
    Path folder = baseDir == null || Path.of(model.bundle()).isAbsolute()
        ? Path.of(model.bundle()) : baseDir.resolve(model.bundle());
    if (!Files.isDirectory(folder)) {
      throw new IllegalArgumentException("Decoder model '" + model.name() + "': folder "
          + folder.toAbsolutePath() + " does not exist (bundle: " + model.bundle() + ")");
    }
    BundleVerification verification;
    if (Files.isRegularFile(folder.resolve(ModelBundle.MANIFEST_FILE))) {
      verification = ModelBundle.fromPath(folder).verify(Models.trustPolicy(model, baseDir));
    } else if (model.allowUnsigned()) {
      log.warn("Decoder {} runs the unverified export folder {} because allowUnsigned is set",
          model.name(), folder);
      verification = BundleVerification.unsignedFolder(folder.getFileName().toString(),
          folder.toString());
    } else {
      throw new IllegalArgumentException("Decoder model '" + model.name() + "': " + folder
          + " is an export folder without bundle.json, so it cannot be verified; make it a"
          + " signed causal-lm bundle or set allowUnsigned: true (development only)");
    }
    CausalLm lm = CausalLm.open(folder, new DecoderOptions(
        model.file().orElse(DecoderOptions.FP32), SessionSettings.threads(model.threads()),
        Optional.empty()));
    GenerationEngine engine = new GenerationEngine(lm, settings);
    engines.put(model.name(), engine);
    trust.put(model.name(), verification);
    log.info("Decoder {} ({}): {} positions, batch up to {}{}", model.name(), lm.version(),
        lm.config().maxPositions(), settings.maxBatchSize(), lm.batchInvariant() ? ""
            : "; int8 with dynamic quantization, so outputs can depend on batch-mates");
    return engine;
  }

  /** The engines opened so far, by model name, in opening order. */
  public synchronized Map<String, GenerationEngine> engines() {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(engines));
  }

  /** How each opened decoder's folder earned trust, by model name. */
  public synchronized Map<String, BundleVerification> verifications() {
    return new LinkedHashMap<>(trust);
  }

  /** Stops every engine (requests in flight fail) and closes its model. */
  @Override
  public synchronized void close() {
    for (GenerationEngine engine : engines.values()) {
      engine.close();
      engine.model().close();
    }
    engines.clear();
  }
}
