package io.sluice.topology.step;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.operators.extract.FieldExtractor;
import io.sluice.operators.infer.TextModel;
import io.sluice.topology.Decoders;
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

  /** Opens the decoder models of generate steps, one shared engine per model. */
  Decoders decoders();

  /** The node that writes the dead-letter topic; see {@link StepOperator#deadLettersFrom}. */
  String deadLetters();

  /** Folder of the topology file, for relative paths; null for bundled files. */
  Path baseDir();

  /**
   * Adds the batched, crash-safe infer operator (buffer in a logged store, flushed on batch
   * size, token budget or wait) over {@code model}, with the pipeline's batching settings.
   */
  void addInfer(org.apache.kafka.streams.Topology topology, String name, TextModel model,
      boolean novelty, String parent);

  /**
   * Adds a batched, crash-safe operator with its own logged buffer store and the pipeline's
   * batching settings: {@code processor} makes one (per stream task) from the flush settings.
   */
  void addBatched(org.apache.kafka.streams.Topology topology, String name,
      java.util.function.Function<io.sluice.operators.infer.BatchingProcessor.Flush,
          ? extends io.sluice.operators.infer.BatchingProcessor> processor, String parent);

  /**
   * Adds the asynchronous resolve operator over a remote model ({@code kind: openai}): records
   * wait in a logged store while their calls run, then go on to the child {@code onward},
   * labelled or (unresolved) unlabelled with the reason in {@code review.reason}.
   */
  void addResolve(org.apache.kafka.streams.Topology topology, String name,
      io.sluice.operators.cloud.Resolver resolver, String onward, String parent);

  /** Adds the batched extract operator over a model, with the pipeline's batching settings. */
  void addModelExtract(org.apache.kafka.streams.Topology topology, String name,
      FieldExtractor extractor, String parent);
}
