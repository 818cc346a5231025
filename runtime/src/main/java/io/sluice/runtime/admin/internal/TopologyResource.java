package io.sluice.runtime.admin.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.operators.OperatorMeters;
import io.sluice.runtime.Health;
import io.sluice.runtime.admin.GatewayView;
import io.sluice.topology.spec.Pipeline;
import io.sluice.topology.spec.Step;
import io.sluice.topology.spec.TopologySpec;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /topology}: the spec as JSON with every secret masked, and the runtime state:
 * component states and, per pipeline, the records it read, decoded, sent to the DLQ and routed.
 */
public final class TopologyResource {

  static final String MASK = "****";
  private static final Set<String> SECRET_FIELDS = Set.of("password", "token", "secret");
  private static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new SimpleModule()
          .addSerializer(Duration.class, new DurationSerializer())
          .addSerializer(Optional.class, new OptionalSerializer()));

  private TopologyResource() {}

  public static Map<String, Object> body(GatewayView gateway, MeterRegistry registry) {
    TopologySpec spec = gateway.spec();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("spec", specJson(spec));
    Map<String, Object> runtime = new LinkedHashMap<>();
    Health health = gateway.health();
    runtime.put("status", health.up() ? "UP" : "DOWN");
    Map<String, Object> components = new LinkedHashMap<>();
    health.components().forEach((name, c) -> components.put(name, Map.of("state", c.state(),
        "up", c.up())));
    runtime.put("components", components);
    Map<String, Object> pipelines = new LinkedHashMap<>();
    for (Pipeline p : spec.pipelines()) {
      Map<String, Object> counters = new LinkedHashMap<>();
      counters.put("source", p.from());
      counters.put("recordsIn", MeterSums.counter(registry,
          OperatorMeters.RECORDS_IN.meterName(), "source", p.from()));
      counters.put("decoded", MeterSums.counter(registry,
          OperatorMeters.RECORDS_DECODED.meterName(), "source", p.from()));
      counters.put("deadLetters", MeterSums.counter(registry, OperatorMeters.DLQ.meterName(),
          "source", p.from()));
      counters.put("routed", MeterSums.byTag(registry, OperatorMeters.ROUTED.meterName(),
          "route", "pipeline", p.name()));
      pipelines.put(p.name(), counters);
    }
    runtime.put("pipelines", pipelines);
    out.put("runtime", runtime);
    return out;
  }

  /** The spec as JSON: steps carry their kind, secrets are masked. */
  static JsonNode specJson(TopologySpec spec) {
    ObjectNode tree = JSON.valueToTree(spec);
    ArrayNode pipelines = (ArrayNode) tree.get("pipelines");
    for (int i = 0; i < spec.pipelines().size(); i++) {
      ArrayNode steps = (ArrayNode) pipelines.get(i).get("steps");
      for (int s = 0; s < spec.pipelines().get(i).steps().size(); s++) {
        Step step = spec.pipelines().get(i).steps().get(s);
        ObjectNode withKind = JSON.createObjectNode().put("kind", step.kind());
        withKind.setAll((ObjectNode) steps.get(s));
        steps.set(s, withKind);
      }
    }
    mask(tree);
    return tree;
  }

  private static void mask(JsonNode node) {
    if (node instanceof ObjectNode object) {
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        if (SECRET_FIELDS.contains(f.getKey().toLowerCase()) && !f.getValue().isNull()) {
          f.setValue(object.textNode(MASK));
        } else {
          mask(f.getValue());
        }
      }
    } else if (node instanceof ArrayNode array) {
      array.forEach(TopologyResource::mask);
    }
  }

  private static final class DurationSerializer extends JsonSerializer<Duration> {
    @Override
    public void serialize(Duration value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeString(value.toMillis() % 1000 == 0 ? value.toSeconds() + "s"
          : value.toMillis() + "ms");
    }
  }

  @SuppressWarnings("rawtypes")
  private static final class OptionalSerializer extends JsonSerializer<Optional> {
    @Override
    public void serialize(Optional value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      if (value.isPresent()) {
        provider.defaultSerializeValue(value.get(), gen);
      } else {
        gen.writeNull();
      }
    }
  }
}
