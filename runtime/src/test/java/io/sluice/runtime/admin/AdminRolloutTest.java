package io.sluice.runtime.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.runtime.Health;
import io.sluice.runtime.Models;
import io.sluice.runtime.rollout.RolloutModel;
import io.sluice.runtime.rollout.RolloutState;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.Step;
import io.sluice.topology.spec.TopologySpec;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /models/{name}} over HTTP against the runtime's real {@link Models} (the default
 * encoder, a prototype head): a rollout starts with the topology's bounds, shows in
 * {@code GET /models}, is decided on live records, and every refusal is a JSON error that leaves
 * the serving model serving.
 */
class AdminRolloutTest {

  static final String TOKEN = "rollout-token-0123456789";
  static final String TOPOLOGY = """
      apiVersion: sluice/v1
      kind: Gateway
      metadata: {name: rollout-test}
      models:
        encoder:
          bundle: "classpath:all-minilm-l6-v2-q"
          threads: 1
          rollout: {shadowRecords: 4, maxLatencyRatio: 100}
      sources:
        - {name: notes, mqtt: {topic: "plant/+/notes"}, schema: TextEvent}
      pipelines:
        - name: triage
          from: notes
          steps:
            - classify:
                model: encoder
                head: prototype
                labels:
                  electrical: [breaker tripped on the main feeder, motor has no power]
                  hydraulic: [hydraulic hose leaking, low hydraulic pressure on the press]
      """;

  static Models models;
  static RolloutModel slot;
  static AdminServer server;

  @BeforeAll
  static void start() {
    TopologySpec spec = new TopologyLoader(name -> null).parse(TOPOLOGY, "rollout-test.yaml");
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    models = new Models(registry);
    Step.Classify classify = (Step.Classify) spec.pipelines().get(0).steps().get(0);
    models.create(spec.models().get("encoder"), classify, null);
    slot = models.forStep(classify).orElseThrow();
    GatewayView view = GatewayView.of(() -> spec, () -> new Health(Map.of()),
        () -> Optional.of(models));
    server = AdminServer.start(AdminSettings.guarded(0, AdminToken.of(TOKEN, "test")), view,
        registry, Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    server.close();
    models.close();
  }

  @Test
  void aRolloutShadowsWithTheTopologysBoundsAndIsDecidedOnLiveRecords() throws Exception {
    String serving = slot.version();
    HttpResponse<String> started = post("/models/encoder",
        "{\"bundle\": \"classpath:all-minilm-l6-v2-q\", \"policy\": {\"minAgreement\": 0.5}}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    JsonNode body = AdminClient.json(started);
    assertThat(body.get("state").asText()).isEqualTo("SHADOW");
    assertThat(body.get("serving").asText()).isEqualTo(serving);
    assertThat(body.get("candidate").asText()).startsWith("all-minilm-l6-v2-q@");
    assertThat(body.at("/policy/shadowRecords").asInt()).as("from the topology").isEqualTo(4);
    assertThat(body.at("/policy/maxLatencyRatio").asDouble()).isEqualTo(100.0);
    assertThat(body.at("/policy/minAgreement").asDouble()).as("from the body").isEqualTo(0.5);
    assertThat(slot.state()).isEqualTo(RolloutState.SHADOW);

    JsonNode shadowing = rolloutOf(get("/models"));
    assertThat(shadowing.get("state").asText()).isEqualTo("SHADOW");
    assertThat(shadowing.get("candidate").asText()).startsWith("all-minilm-l6-v2-q@");

    HttpResponse<String> again = post("/models/encoder",
        "{\"bundle\": \"classpath:all-minilm-l6-v2-q\"}");
    assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
    assertThat(AdminClient.error(again).get("message").asText()).contains("already rolling out");

    slot.infer(List.of("breaker tripped again", "hose leaking at the press",
        "no power to the conveyor motor", "pressure low on press 4"));

    JsonNode decided = rolloutOf(get("/models"));
    assertThat(decided.get("state").asText()).isEqualTo("PROMOTED");
    assertThat(decided.get("candidate").isNull()).isTrue();
    assertThat(decided.get("history")).extracting(e -> e.get("state").asText())
        .containsExactly("SHADOW", "PROMOTED");
  }

  @Test
  void refusalsNameWhatIsWrongAndTheServingModelKeepsServing() throws Exception {
    String serving = slot.version();

    assertThat(AdminClient.post(server.url() + "/models/encoder", "{\"bundle\": \"classpath:x\"}",
        null).statusCode()).isEqualTo(401);
    AdminClient.assertError(post("/models/pump", "{\"bundle\": \"classpath:all-minilm-l6-v2-q\"}"), 404,
        "name", "no model 'pump'");
    AdminClient.assertError(post("/models/encoder", "{}"), 400, "bundle", "missing field 'bundle'");
    AdminClient.assertError(post("/models/encoder", "{\"bundle\": \"x\", \"force\": true}"), 400, "force",
        "unknown field 'force'");
    AdminClient.assertError(post("/models/encoder", "{\"bundle\": \"x\", \"policy\": {\"minAgreement\": 2}}"),
        400, "policy", "minAgreement must be in [0, 1]");
    AdminClient.assertError(post("/models/encoder", "{\"bundle\": \"x\", \"policy\": {\"speed\": 2}}"),
        400, "policy.speed", "unknown field 'policy.speed'");
    AdminClient.assertError(post("/models/encoder", "{\"bundle\": \"classpath:no-such-bundle\"}"), 422,
        "bundle", "no-such-bundle");

    assertThat(slot.version()).isEqualTo(serving);
    assertThat(slot.candidate()).isEmpty();
    assertThat(slot.infer(List.of("breaker tripped again")).get(0).label())
        .isEqualTo("electrical");
  }

  private static JsonNode rolloutOf(HttpResponse<String> models) throws Exception {
    assertThat(models.statusCode()).isEqualTo(200);
    return AdminClient.json(models).at("/models/0/rollout");
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return AdminClient.get(server.url() + path, TOKEN);
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return AdminClient.post(server.url() + path, body, TOKEN);
  }
}
