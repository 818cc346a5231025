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
 * The {@code extract} step without a model: adds the fields found by patterns and gazetteers to
 * the result, each with its span and confidence, one record at a time. A text on which a pattern
 * exceeds its work budget gets no pattern fields and is counted; the record goes on. With a model
 * the step batches instead ({@link ModelExtractProcessor}).
 */
public final class ExtractProcessor
    implements Processor<String, PipelineRecord, String, PipelineRecord> {

  private final FieldExtractor extractor;
  private final MeterRegistry registry;
  private final String pipeline;
  private ProcessorContext<String, PipelineRecord> context;
  private Counter extracted;
  private Counter failures;

  public ExtractProcessor(List<String> patterns, Map<String, String> custom,
      Map<String, List<String>> gazetteers, MeterRegistry registry, String pipeline) {
    this(new FieldExtractor(patternExtractor(patterns, custom, gazetteers), null, 0), registry,
        pipeline);
  }

  public ExtractProcessor(FieldExtractor extractor, MeterRegistry registry, String pipeline) {
    this.extractor = extractor;
    this.registry = registry;
    this.pipeline = pipeline;
  }

  /** The pattern and gazetteer extractor of a step's configuration. */
  public static PatternExtractor patternExtractor(List<String> patterns,
      Map<String, String> custom, Map<String, List<String>> gazetteers) {
    PatternExtractor.Builder builder = PatternExtractor.builder().builtIns(patterns);
    custom.forEach(builder::pattern);
    gazetteers.forEach(builder::gazetteer);
    return builder.build();
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
      write(result, extractor.extract(List.of(result.getText())).get(0), extracted, failures);
    }
    context.forward(record);
  }

  /** Appends a text's fields (and the summary field, with a model) to its result. */
  static void write(InferenceResult result, FieldExtractor.Result found, Counter extracted,
      Counter failures) {
    if (found.patternFailed()) {
      failures.increment();
    }
    if (found.fields().isEmpty() && found.summary() == null) {
      return;
    }
    List<ExtractedField> fields = new ArrayList<>(result.getFields());
    for (Extraction e : found.fields()) {
      fields.add(new ExtractedField(e.name(), e.value(), e.confidence(), e.start(), e.end()));
    }
    if (found.summary() != null) {
      fields.add(new ExtractedField(FieldExtractor.SUMMARY_FIELD, found.summary(),
          found.confidence(), null, null));
    }
    result.setFields(fields);
    extracted.increment(found.fields().size());
  }
}
