package io.sluice.operators.extract;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.operators.OperatorMeters;
import io.sluice.schemas.ExtractedField;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.PipelineRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The {@code extract} step: adds the fields found by patterns and gazetteers to the result, each
 * with its span and confidence. A text on which a pattern exceeds its work budget keeps the fields
 * found so far by nothing (none are added) and is counted; the record goes on.
 */
public final class ExtractProcessor
    implements Processor<String, PipelineRecord, String, PipelineRecord> {

  private final PatternExtractor extractor;
  private final MeterRegistry registry;
  private final String pipeline;
  private ProcessorContext<String, PipelineRecord> context;
  private Counter extracted;
  private Counter failures;

  public ExtractProcessor(List<String> patterns, Map<String, String> custom,
      Map<String, List<String>> gazetteers, MeterRegistry registry, String pipeline) {
    PatternExtractor.Builder builder = PatternExtractor.builder().builtIns(patterns);
    custom.forEach(builder::pattern);
    gazetteers.forEach(builder::gazetteer);
    this.extractor = builder.build();
    this.registry = registry;
    this.pipeline = pipeline;
  }

  @Override
  public void init(ProcessorContext<String, PipelineRecord> context) {
    this.context = context;
    this.extracted = OperatorMeters.EXTRACTED.counter(registry, "pipeline", pipeline);
    this.failures = OperatorMeters.EXTRACTION_FAILURES.counter(registry, "pipeline", pipeline);
  }

  @Override
  public void process(Record<String, PipelineRecord> record) {
    InferenceResult result = record.value().getResult();
    if (result.getText() != null) {
      try {
        List<Extraction> found = extractor.extract(result.getText());
        if (!found.isEmpty()) {
          List<ExtractedField> fields = new ArrayList<>(result.getFields());
          for (Extraction e : found) {
            fields.add(new ExtractedField(e.name(), e.value(), e.confidence(), e.start(),
                e.end()));
          }
          result.setFields(fields);
          extracted.increment(found.size());
        }
      } catch (ExtractionException e) {
        failures.increment();
      }
    }
    context.forward(record);
  }
}
