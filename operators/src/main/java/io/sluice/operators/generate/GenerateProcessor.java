package io.sluice.operators.generate;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.operators.OperatorMeters;
import io.sluice.operators.infer.BatchingProcessor;
import io.sluice.schemas.Generated;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.PipelineRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * The {@code generate} step: records wait in a logged buffer and go to the decoder in batches,
 * crash-safe, as the infer operator's do ({@link BatchingProcessor}: a record counts as consumed
 * only in the transaction that writes its result). Each result lands in the record's
 * {@code generation}; a record the generator turns away goes to the dead-letter child with the
 * reason. The decoder's own continuous batcher is shared by every stream thread and the HTTP
 * API, so a flush here hands its records to it together and waits for them.
 */
public final class GenerateProcessor extends BatchingProcessor {

  private final RecordGenerator generator;
  private final MeterRegistry registry;
  private final String pipeline;
  private Counter valid;
  private Counter invalid;
  private Counter deadline;
  private Counter tokens;
  private Counter truncated;

  /**
   * @param onward the child node records go on to
   * @param deadLetters the child node that writes the dead-letter topic
   */
  public GenerateProcessor(String pipeline, Flush flush, RecordGenerator generator,
      String onward, String deadLetters, MeterRegistry registry) {
    super(pipeline, "generate", flush, registry);
    this.generator = generator;
    this.registry = registry;
    this.pipeline = pipeline;
    forwardsTo(onward);
    deadLettersTo(deadLetters);
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    valid = OperatorMeters.GENERATED.counter(registry, "pipeline", pipeline, "outcome", "valid");
    invalid = OperatorMeters.GENERATED.counter(registry, "pipeline", pipeline,
        "outcome", "invalid");
    deadline = OperatorMeters.GENERATED.counter(registry, "pipeline", pipeline,
        "outcome", "deadline");
    tokens = OperatorMeters.GENERATED_TOKENS.counter(registry, "pipeline", pipeline,
        "model", generator.modelName());
    truncated = OperatorMeters.GENERATE_TRUNCATED.counter(registry, "pipeline", pipeline);
    super.init(context);
  }

  @Override
  protected String modelName() {
    return generator.modelName();
  }

  @Override
  protected int countTokens(String text) {
    return generator.countTokens(text);
  }

  /** The record's {@code tokens} stay what the classify step's encoder read. */
  @Override
  protected boolean storesTokens() {
    return false;
  }

  @Override
  protected void apply(List<PipelineRecord> records) {
    List<InferenceResult> results = new ArrayList<>(records.size());
    for (PipelineRecord record : records) {
      results.add(record.getResult());
    }
    List<RecordGenerator.Outcome> outcomes = generator.generate(results);
    if (outcomes.size() != records.size()) {
      throw new IllegalStateException("Decoder " + generator.modelName() + " returned "
          + outcomes.size() + " outcomes for " + records.size() + " records");
    }
    for (int i = 0; i < records.size(); i++) {
      RecordGenerator.Outcome outcome = outcomes.get(i);
      if (outcome.generated() == null) {
        deadLetter(records.get(i), "generate: " + outcome.deadLetterReason());
        continue;
      }
      Generated g = outcome.generated();
      records.get(i).getResult().setGeneration(g);
      ("deadline".equals(g.getFinishReason()) ? deadline : g.getValid() ? valid : invalid)
          .increment();
      tokens.increment(g.getCompletionTokens());
      if (g.getTruncated()) {
        truncated.increment();
      }
    }
  }
}
