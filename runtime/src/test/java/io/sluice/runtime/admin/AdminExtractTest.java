package io.sluice.runtime.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.inference.BundleVerification;
import io.sluice.inference.TextClassifier;
import io.sluice.operators.extract.EntityModel;
import io.sluice.operators.extract.Extraction;
import io.sluice.operators.extract.ModelFields;
import io.sluice.runtime.Health;
import io.sluice.runtime.Models;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.Step;
import io.sluice.topology.spec.TopologySpec;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/extract} on a pipeline whose extract step names an entity model: the step's
 * patterns and the model's entities come back together, each field saying where it came from,
 * with the model's confidence in the whole text. The model is a fake (this tests the API's own
 * logic; the real models are tested in the inference module and the runtime). {@code GET /models}
 * lists the model of a real extract step (MiniLM with a head trained on a few texts) with the
 * trust its bundle earned.
 */
class AdminExtractTest {

  static final String TOKEN = "extract-token-0123456789";
  static final String TOPOLOGY = """
      apiVersion: sluice/v1
      kind: Gateway
      metadata: {name: extract-test}
      models:
        tagger: {bundle: "classpath:all-minilm-l6-v2-q"}
      sources:
        - {name: orders, mqtt: {topic: "plant/+/orders"}, schema: TextEvent}
      pipelines:
        - name: work-orders
          from: orders
          steps:
            - extract: {patterns: [measurement], model: tagger, trainFile: train.json}
      """;

  /** Tags the word "pump" as a PhysicalObject; sure of texts that have it. */
  static final class PumpTagger implements EntityModel {
    final List<List<String>> calls = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "pump-tagger";
    }

    @Override
    public String version() {
      return "3";
    }

    @Override
    public int countTokens(String text) {
      return text.split(" ").length;
    }

    @Override
    public List<ModelFields> extract(List<String> texts) {
      calls.add(List.copyOf(texts));
      List<ModelFields> out = new ArrayList<>();
      for (String text : texts) {
        int at = text.indexOf("pump");
        out.add(at < 0 ? new ModelFields(List.of(), 0.4)
            : new ModelFields(List.of(new Extraction("PhysicalObject", "pump", at, at + 4, 0.9)),
                0.8));
      }
      return out;
    }
  }

  static final PumpTagger tagger = new PumpTagger();
  static AdminServer server;

  @BeforeAll
  static void start() {
    TopologySpec spec = new TopologyLoader(name -> null).parse(TOPOLOGY, "extract-test.yaml");
    GatewayView plain = GatewayView.of(spec, () -> new Health(Map.of()), Map.of(), Map.of());
    GatewayView view = new GatewayView() {
      @Override
      public TopologySpec spec() {
        return plain.spec();
      }

      @Override
      public Health health() {
        return plain.health();
      }

      @Override
      public Map<String, BundleVerification> bundles() {
        return Map.of();
      }

      @Override
      public Map<String, TextClassifier> classifiers() {
        return Map.of();
      }

      @Override
      public Map<String, EntityModel> entityModels() {
        return Map.of("work-orders", tagger);
      }
    };
    server = AdminServer.start(AdminSettings.guarded(0, AdminToken.of(TOKEN, "test")), view,
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void patternsAndTheEntityModelAnswerTogetherInOneBatchCall() throws Exception {
    HttpResponse<String> response = AdminClient.post(server.url() + "/v1/extract",
        "{\"texts\": [\"pump pressure at 35 bar\", \"belt worn\"]}", TOKEN);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode body = AdminClient.json(response);
    assertThat(body.get("pipeline").asText()).isEqualTo("work-orders");
    assertThat(body.get("model").asText()).isEqualTo("pump-tagger@3");
    JsonNode first = body.at("/results/0");
    assertThat(first.get("fields")).extracting(f -> f.get("source").asText() + ":"
        + f.get("name").asText() + "=" + f.get("value").asText())
        .contains("model:PhysicalObject=pump")
        .anyMatch(s -> s.startsWith("pattern:measurement="));
    assertThat(first.get("extractionConfidence").asDouble()).isEqualTo(0.8);
    JsonNode second = body.at("/results/1");
    assertThat(second.get("fields")).isEmpty();
    assertThat(second.get("extractionConfidence").asDouble()).isEqualTo(0.4);
    assertThat(tagger.calls).containsExactly(List.of("pump pressure at 35 bar", "belt worn"));
  }

  @Test
  void modelsListsTheRealExtractStepsModelWithItsTrust(@TempDir Path dir) throws Exception {
    // A few orders in MaintIE's format: enough for a head, not a useful one.
    StringBuilder train = new StringBuilder("[");
    for (String obj : List.of("pump", "hose", "valve", "motor")) {
      train.append(train.length() > 1 ? "," : "").append("{\"tokens\": [\"replace\", \"")
          .append(obj).append("\"], \"entities\": [{\"start\": 0, \"end\": 1, \"type\":")
          .append(" \"Activity\"}, {\"start\": 1, \"end\": 2, \"type\": \"PhysicalObject\"}]}");
    }
    Files.writeString(dir.resolve("train.json"), train.append("]").toString());
    TopologySpec spec = new TopologyLoader(name -> null).parse(TOPOLOGY, "extract-test.yaml");
    Step.Extract step = (Step.Extract) spec.pipelines().get(0).steps().get(0);
    try (Models models = new Models(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
      EntityModel made = models.create(spec.models().get("tagger"), step, dir);
      try (AdminServer real = AdminServer.start(AdminSettings.guarded(0,
          AdminToken.of(TOKEN, "test")), GatewayView.of(() -> spec, () -> new Health(Map.of()),
          () -> Optional.of(models)), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
          Clock.systemUTC())) {
        HttpResponse<String> response = AdminClient.get(real.url() + "/models", TOKEN);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode tagger = AdminClient.json(response).at("/models/0");
        assertThat(tagger.get("name").asText()).isEqualTo("tagger");
        assertThat(tagger.get("loaded").asBoolean()).isTrue();
        assertThat(tagger.get("bundle").asText()).startsWith("all-minilm-l6-v2-q@");
        assertThat(tagger.get("trust").asText()).isEqualTo("SHIPPED");
        assertThat(tagger.get("signer").asText()).isEqualTo("shipped");
        assertThat(tagger.get("digest").asText()).startsWith("sha256:");
        assertThat(tagger.get("heads")).isEmpty();
        JsonNode extract = tagger.at("/extracts/0");
        assertThat(extract.get("pipeline").asText()).isEqualTo("work-orders");
        assertThat(extract.get("modelType").asText()).isEqualTo(Step.Extract.TRAINED_HEAD);
        assertThat(extract.get("servingVersion").asText()).isEqualTo(made.version())
            .startsWith(tagger.get("version").asText() + "+entity-head.");
        assertThat(tagger.get("extracts")).hasSize(1);
      }
    }
  }
}
