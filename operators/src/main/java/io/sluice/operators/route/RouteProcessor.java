package io.sluice.operators.route;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.operators.OperatorMeters;
import io.sluice.operators.ReviewAttributes;
import io.sluice.schemas.ExtractedField;
import io.sluice.schemas.ForwardReason;
import io.sluice.schemas.ForwardedRecord;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.PipelineRecord;
import io.sluice.schemas.RecordHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The last operator of a pipeline: applies the routing rules to each record and sends it to
 * exactly one place. Local and review records go on as pipeline records (their sinks write the
 * result); cloud records become {@link ForwardedRecord}s keyed by event id (so the cloud's
 * de-duplication sees every copy of an event in one task); MQTT alerts become a JSON document with
 * the target topic in a header, for the MQTT egress; dropped records are only counted.
 *
 * <p>The data policy is enforced here as well as at validation: a restricted record that a rule
 * would send to the cloud stays local, and {@code sluice.policy.blocked} counts it.
 */
public final class RouteProcessor implements Processor<String, PipelineRecord, String, Object> {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Child node names for each kind of target. */
  public record Children(String local, String cloud, String review, String alerts) {}

  private final String pipeline;
  private final String gateway;
  private final RoutingRules rules;
  private final Children children;
  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new HashMap<>();
  private ProcessorContext<String, Object> context;
  private Counter policyBlocked;

  public RouteProcessor(String pipeline, String gateway, RoutingRules rules, Children children,
      MeterRegistry registry) {
    this.pipeline = pipeline;
    this.gateway = gateway;
    this.rules = rules;
    this.children = children;
    this.registry = registry;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.policyBlocked = OperatorMeters.POLICY_BLOCKED.counter(registry, "pipeline", pipeline);
  }

  @Override
  public void process(Record<String, PipelineRecord> record) {
    PipelineRecord value = record.value();
    InferenceResult result = value.getResult();
    RouteDecision decision = rules.route(ResultView.of(result));
    if (decision.policyBlocked()) {
      policyBlocked.increment();
    }
    Target target = decision.target();
    result.setRoute(target.toString());
    int bytes = value.getPayload().remaining();
    String reason = decision.reason() == null ? "" : decision.reason().name();
    count(target.kind().name().toLowerCase(), reason, bytes);
    switch (target.kind()) {
      case LOCAL -> context.forward(record, children.local());
      case REVIEW -> {
        // Why a person sees it: the rule that sent it there, for the review queue.
        if (decision.ruleIndex() >= 0 && decision.ruleIndex() < rules.rules().size()) {
          String when = rules.rules().get(decision.ruleIndex()).when();
          java.util.Map<String, String> attributes =
              new java.util.LinkedHashMap<>(result.getAttributes());
          String rule = "route rule " + (decision.ruleIndex() + 1)
              + (when == null || when.isBlank() ? "" : ": " + when);
          // An earlier reason (a resolver that could not label the record) comes first.
          String before = attributes.get(ReviewAttributes.REASON);
          attributes.put(ReviewAttributes.REASON, before == null ? rule : before + "; " + rule);
          result.setAttributes(attributes);
        }
        context.forward(record, children.review());
      }
      case CLOUD -> {
        value.setForwardReason(decision.reason());
        ForwardedRecord forwarded = ForwardedRecord.newBuilder()
            .setEventId(result.getEventId())
            .setSource(result.getSource())
            .setGateway(gateway)
            .setReason(decision.reason() == null ? ForwardReason.RULE : decision.reason())
            .setResult(result)
            .setPayload(value.getPayload())
            .setForwardedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
            .build();
        context.forward(new Record<String, Object>(result.getEventId(), forwarded,
            record.timestamp()), children.cloud());
      }
      case MQTT -> {
        Record<String, Object> alert = new Record<String, Object>(result.getDeviceId(),
            alertJson(result), record.timestamp());
        alert.headers().add(RecordHeaders.MQTT_TARGET,
            target.topic().getBytes(StandardCharsets.UTF_8));
        context.forward(alert, children.alerts());
      }
      case DROP -> { }
      default -> throw new IllegalStateException("Unknown target " + target);
    }
  }

  private void count(String route, String reason, int bytes) {
    counters.computeIfAbsent(route + "/" + reason, k -> OperatorMeters.ROUTED.counter(registry,
        "pipeline", pipeline, "route", route, "reason", reason)).increment();
    counters.computeIfAbsent(route + "#bytes", k -> OperatorMeters.ROUTED_BYTES.counter(registry,
        "pipeline", pipeline, "route", route)).increment(bytes);
  }

  /** The alert published over MQTT: what the gateway made of the record, as JSON. */
  static byte[] alertJson(InferenceResult r) {
    ObjectNode n = JSON.createObjectNode();
    n.put("eventId", r.getEventId());
    n.put("source", r.getSource());
    n.put("deviceId", r.getDeviceId());
    n.put("timestamp", r.getTimestamp().toString());
    n.put("kind", r.getKind().name());
    if (r.getLabel() != null) {
      n.put("label", r.getLabel());
    }
    if (r.getConfidence() != null) {
      n.put("confidence", r.getConfidence());
    }
    if (r.getNovelty() != null) {
      n.put("novelty", r.getNovelty());
    }
    if (r.getAnomalyScore() != null) {
      n.put("anomalyScore", r.getAnomalyScore());
    }
    if (r.getText() != null) {
      n.put("text", r.getText());
    }
    if (r.getValue() != null) {
      n.put("value", r.getValue());
      n.put("metric", r.getMetric());
    }
    if (!r.getFields().isEmpty()) {
      ObjectNode fields = n.putObject("fields");
      for (ExtractedField f : r.getFields()) {
        fields.put(f.getName(), f.getValue());
      }
    }
    return n.toString().getBytes(StandardCharsets.UTF_8);
  }
}
