package io.sluice.operators.redact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.operators.OperatorMeters;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.PipelineRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The {@code redact} step: replaces personal data by {@code [NAME]} in the record's text and in
 * every string of its JSON payload, so neither can leave the gateway unredacted. When a pattern
 * cannot finish within its work budget the step fails closed: the record is marked restricted
 * (the router then keeps it on the gateway) and counted.
 */
public final class RedactProcessor
    implements Processor<String, PipelineRecord, String, PipelineRecord> {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Redactor redactor;
  private final MeterRegistry registry;
  private final String pipeline;
  private final Map<String, Counter> counters = new HashMap<>();
  private ProcessorContext<String, PipelineRecord> context;
  private Counter failures;

  public RedactProcessor(List<String> patterns, Map<String, String> custom,
      MeterRegistry registry, String pipeline) {
    this.redactor = Redactor.of(patterns, custom);
    this.registry = registry;
    this.pipeline = pipeline;
  }

  @Override
  public void init(ProcessorContext<String, PipelineRecord> context) {
    this.context = context;
    this.failures = OperatorMeters.REDACTION_FAILURES.counter(registry, "pipeline", pipeline);
  }

  @Override
  public void process(Record<String, PipelineRecord> record) {
    PipelineRecord value = record.value();
    InferenceResult result = value.getResult();
    try {
      if (result.getText() != null) {
        Redaction r = redactor.redact(result.getText());
        result.setText(r.text());
        count(r);
      }
      value.setPayload(ByteBuffer.wrap(redactPayload(value.getPayload())));
    } catch (RedactionException e) {
      failures.increment();
      result.setRestricted(true);
    }
    context.forward(record);
  }

  private byte[] redactPayload(ByteBuffer payload) {
    byte[] bytes = new byte[payload.remaining()];
    payload.duplicate().get(bytes);
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new RedactionException("payload", "the payload is not JSON, so its strings cannot"
          + " be redacted one by one");
    }
    JsonNode redacted = redactStrings(root);
    try {
      return JSON.writeValueAsBytes(redacted);
    } catch (IOException e) {
      throw new RedactionException("payload", "cannot write the redacted payload");
    }
  }

  private JsonNode redactStrings(JsonNode node) {
    if (node.isTextual()) {
      Redaction r = redactor.redact(node.textValue());
      return r.total() == 0 ? node : TextNode.valueOf(r.text());
    }
    if (node.isObject()) {
      ObjectNode object = (ObjectNode) node;
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        f.setValue(redactStrings(f.getValue()));
      }
      return object;
    }
    if (node.isArray()) {
      ArrayNode array = (ArrayNode) node;
      for (int i = 0; i < array.size(); i++) {
        array.set(i, redactStrings(array.get(i)));
      }
    }
    return node;
  }

  private void count(Redaction r) {
    r.counts().forEach((pattern, n) -> {
      if (n > 0) {
        counters.computeIfAbsent(pattern, p -> OperatorMeters.REDACTED.counter(registry,
            "pipeline", pipeline, "pattern", p)).increment(n);
      }
    });
  }
}
