package io.sluice.operators.redact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.operators.OperatorMeters;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.PipelineRecord;
import io.sluice.schemas.TextEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
  private static final org.apache.kafka.common.serialization.Serde<TextEvent> TEXT_EVENTS =
      AvroSerdes.textEvent();

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

  /**
   * Redacts the payload in its own format: every string of a JSON payload, the text and
   * attributes of an Avro single-object TextEvent (re-encoded), or a CSV line as text.
   */
  private byte[] redactPayload(ByteBuffer payload) {
    byte[] bytes = new byte[payload.remaining()];
    payload.duplicate().get(bytes);
    if (bytes.length > 1 && bytes[0] == (byte) 0xC3 && bytes[1] == (byte) 0x01) {
      return redactAvro(bytes);
    }
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (IOException e) {
      return redactor.redact(new String(bytes, StandardCharsets.UTF_8)).text()
          .getBytes(StandardCharsets.UTF_8);
    }
    JsonNode redacted = redactStrings(root);
    try {
      return JSON.writeValueAsBytes(redacted);
    } catch (IOException e) {
      throw new RedactionException("payload", "cannot write the redacted payload");
    }
  }

  private byte[] redactAvro(byte[] bytes) {
    TextEvent event;
    try {
      event = TEXT_EVENTS.deserializer().deserialize("", bytes);
    } catch (RuntimeException e) {
      throw new RedactionException("payload", "the Avro payload is not a TextEvent");
    }
    event.setText(redactor.redact(event.getText()).text());
    Map<String, String> attributes = new java.util.LinkedHashMap<>();
    event.getAttributes().forEach((k, v) -> attributes.put(k, redactor.redact(v).text()));
    event.setAttributes(attributes);
    return TEXT_EVENTS.serializer().serialize("", event);
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
