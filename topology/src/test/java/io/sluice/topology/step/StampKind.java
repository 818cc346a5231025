package io.sluice.topology.step;

import static io.sluice.topology.internal.FormatTypes.NAME_TYPE;
import static io.sluice.topology.internal.FormatTypes.line;
import static io.sluice.topology.internal.schema.Scalars.string;

import io.micrometer.core.instrument.Counter;
import io.sluice.schemas.ExtractedField;
import io.sluice.schemas.PipelineRecord;
import io.sluice.topology.internal.schema.ObjectType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** The test-only {@code stamp} kind: its shape, a check, its processor and its meter. */
final class StampKind implements StepKind<StampStep> {

  static final ObjectType<StampStep> SHAPE = ObjectType.builder("StampStep",
          "Adds a fixed field to every record (a test-only kind).")
      .required("field", NAME_TYPE, "Name of the field added.")
      .optional("value", string("text"), "yes", "yes", "Its value.")
      .build(v -> new StampStep(v.get("field"), v.get("value"), line(v)));

  @Override
  public String name() {
    return "stamp";
  }

  @Override
  public Class<StampStep> stepType() {
    return StampStep.class;
  }

  @Override
  public ObjectType<StampStep> shape() {
    return SHAPE;
  }

  @Override
  public void check(StampStep step, List<io.sluice.topology.spec.Step> earlier,
      StepProblems problems) {
    if (earlier.stream().anyMatch(StampStep.class::isInstance)) {
      problems.error("a pipeline stamps once", "remove one stamp step");
    }
  }

  @Override
  public Optional<StepOperator> operator(StampStep step, StepContext context) {
    return Optional.of((topology, name, parent) -> topology.addProcessor(name,
        () -> new Processor<String, PipelineRecord, String, PipelineRecord>() {
          private ProcessorContext<String, PipelineRecord> forward;
          private Counter stamped;

          @Override
          public void init(ProcessorContext<String, PipelineRecord> processorContext) {
            forward = processorContext;
            stamped = Counter.builder("sluice.test.stamped").tag("pipeline",
                context.pipeline().name()).register(context.registry());
          }

          @Override
          public void process(Record<String, PipelineRecord> record) {
            List<ExtractedField> fields = new ArrayList<>(record.value().getResult().getFields());
            fields.add(new ExtractedField(step.field(), step.value(), 1.0, null, null));
            record.value().getResult().setFields(fields);
            stamped.increment();
            forward.forward(record);
          }
        }, parent));
  }
}
