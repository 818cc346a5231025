package io.sluice.operators.cloud;

import io.sluice.schemas.Feedback;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.PipelineRecord;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Turns the cloud model's result into a verdict (every record) and, when the verdict is confident
 * enough, feedback for the gateway that forwarded it: the label and the text as an example, keyed
 * by event id for the compacted feedback topic.
 */
public final class VerdictProcessor
    implements Processor<String, PipelineRecord, String, SpecificRecord> {

  private final String verdicts;
  private final String feedback;
  private final double minConfidence;
  private ProcessorContext<String, SpecificRecord> context;

  public VerdictProcessor(String verdictsChild, String feedbackChild, double minConfidence) {
    this.verdicts = verdictsChild;
    this.feedback = feedbackChild;
    this.minConfidence = minConfidence;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, PipelineRecord> record) {
    InferenceResult result = record.value().getResult();
    result.setRoute("verdict");
    context.forward(new Record<String, SpecificRecord>(result.getEventId(), result,
        record.timestamp()), verdicts);
    if (result.getLabel() != null && result.getText() != null && result.getConfidence() != null
        && result.getConfidence() >= minConfidence) {
      Feedback f = Feedback.newBuilder()
          .setEventId(result.getEventId())
          .setGateway(record.value().getGateway() == null ? "" : record.value().getGateway())
          .setSource(result.getSource())
          .setLabel(result.getLabel())
          .setConfidence(result.getConfidence())
          .setText(result.getText())
          .setModel(result.getModel())
          .setDecidedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
          .build();
      context.forward(new Record<String, SpecificRecord>(result.getEventId(), f,
          record.timestamp()), feedback);
    }
  }
}
