package io.sluice.operators.extract;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.operators.OperatorMeters;
import io.sluice.operators.infer.BatchingProcessor;
import io.sluice.schemas.PipelineRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * The {@code extract} step with an entity model: records wait in a logged buffer and go to the
 * model in batches, crash-safe, as the infer operator's do ({@link BatchingProcessor}); then
 * pattern, gazetteer and entity fields and the summary field are added to each result
 * ({@link FieldExtractor}).
 */
public final class ModelExtractProcessor extends BatchingProcessor {

  private final FieldExtractor extractor;
  private final MeterRegistry registry;
  private final String pipeline;
  private Counter extracted;
  private Counter failures;

  public ModelExtractProcessor(String pipeline, Flush flush, FieldExtractor extractor,
      MeterRegistry registry) {
    super(pipeline, "extract", flush, registry);
    if (!extractor.hasModel()) {
      throw new IllegalArgumentException("a model extract operator needs a model");
    }
    this.extractor = extractor;
    this.registry = registry;
    this.pipeline = pipeline;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.extracted = OperatorMeters.EXTRACTED.counter(registry, "pipeline", pipeline);
    this.failures = OperatorMeters.EXTRACTION_FAILURES.counter(registry, "pipeline", pipeline);
    super.init(context);
  }

  @Override
  protected String modelName() {
    return extractor.model().name();
  }

  @Override
  protected int countTokens(String text) {
    return extractor.model().countTokens(text);
  }

  @Override
  protected void apply(List<PipelineRecord> records) {
    List<String> texts = new ArrayList<>(records.size());
    for (PipelineRecord record : records) {
      texts.add(record.getResult().getText());
    }
    List<FieldExtractor.Result> found = extractor.extract(texts);
    for (int i = 0; i < records.size(); i++) {
      ExtractProcessor.write(records.get(i).getResult(), found.get(i), extracted, failures);
    }
  }
}
