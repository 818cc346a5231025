package io.sluice.topology.step;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.operators.extract.FieldExtractor;
import io.sluice.operators.infer.TextModel;
import io.sluice.topology.EntityModels;
import io.sluice.topology.TextModels;
import io.sluice.topology.spec.Pipeline;
import io.sluice.topology.spec.TopologySpec;
import java.nio.file.Path;
import java.time.Clock;

/** What a step kind may use when it builds its operator. */
public interface StepContext {

  TopologySpec spec();

  /** The pipeline the step belongs to. */
  Pipeline pipeline();

  /** Where operators register their meters. */
  MeterRegistry registry();

  Clock clock();

  /** Makes the text models of classify steps. */
  TextModels textModels();

  /** Makes the entity models of extract steps that name one. */
  EntityModels entityModels();

  /** Folder of the topology file, for relative paths; null for bundled files. */
  Path baseDir();

  /**
   * Adds the batched, crash-safe infer operator (buffer in a logged store, flushed on batch
   * size, token budget or wait) over {@code model}, with the pipeline's batching settings.
   */
  void addInfer(org.apache.kafka.streams.Topology topology, String name, TextModel model,
      boolean novelty, String parent);

  /** Adds the batched extract operator over a model, with the pipeline's batching settings. */
  void addModelExtract(org.apache.kafka.streams.Topology topology, String name,
      FieldExtractor extractor, String parent);
}
