package io.sluice.runtime.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.inference.BundleVerification;
import io.sluice.inference.ClassifierSettings;
import io.sluice.inference.EncoderSettings;
import io.sluice.inference.LabelledText;
import io.sluice.inference.ModelBundle;
import io.sluice.inference.TextClassifier;
import io.sluice.inference.TextEncoder;
import io.sluice.inference.Ticker;
import io.sluice.inference.TrainingData;
import io.sluice.inference.TrustPolicy;
import io.sluice.operators.OperatorMeters;
import io.sluice.runtime.Health;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.TopologySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The admin API over HTTP against a gateway view with a real classifier (the default encoder, a
 * prototype head) and a real extract step: auth, every endpoint's answer, and the 4xx errors.
 */
class AdminApiTest {

  static final String TOKEN = "test-token-0123456789abcdef";
  static final String TOPOLOGY = """
      apiVersion: sluice/v1
      kind: Gateway
      metadata: {name: api-test}
      brokers:
        mqtt: {url: "tcp://broker:1883", username: gw, password: "${MQTT_PASSWORD}"}
      models:
        encoder: {bundle: "classpath:all-minilm-l6-v2-q", threads: 1}
      sources:
        - {name: notes, mqtt: {topic: "plant/+/notes"}, schema: TextEvent}
      pipelines:
        - name: triage
          from: notes
          steps:
            - classify:
                model: encoder
                labels:
                  electrical: [breaker tripped on the main feeder, motor has no power]
                  hydraulic: [hydraulic hose leaking, low hydraulic pressure on the press]
            - extract: {patterns: [measurement]}
      """;

  static PrometheusMeterRegistry registry;
  static TextEncoder encoder;
  static TextClassifier classifier;
  static AdminServer server;
  static final AtomicBoolean streamsUp = new AtomicBoolean(true);
  static final HttpClient http = HttpClient.newHttpClient();
  static final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  static void start() {
    TopologySpec spec = new TopologyLoader(Map.of("MQTT_PASSWORD", "hunter2-secret")::get)
        .parse(TOPOLOGY, "api-test.yaml");
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ModelBundle bundle = ModelBundle.load(ModelBundle.DEFAULT);
    encoder = TextEncoder.open(bundle, EncoderSettings.DEFAULT, registry);
    classifier = TextClassifier.create(encoder, ClassifierSettings.DEFAULT, Ticker.system(),
        registry);
    classifier.train(TrainingData.of(List.of(
        new LabelledText("breaker tripped on the main feeder", "electrical"),
        new LabelledText("motor has no power", "electrical"),
        new LabelledText("hydraulic hose leaking", "hydraulic"),
        new LabelledText("low hydraulic pressure on the press", "hydraulic"))));
    BundleVerification verification = bundle.verify(TrustPolicy.signedBy(List.of()));
    OperatorMeters.RECORDS_IN.counter(registry, "source", "notes").increment(42);
    OperatorMeters.ROUTED.counter(registry, "pipeline", "triage", "route", "cloud", "reason",
        "NOVEL").increment(5);
    GatewayView view = GatewayView.of(spec, () -> new Health(Map.of("streams",
        new Health.Component(streamsUp.get(), streamsUp.get() ? "RUNNING" : "REBALANCING",
            "embedded", true))), Map.of("encoder", verification), Map.of("triage", classifier));
    server = AdminServer.start(AdminSettings.guarded(0, AdminToken.of(TOKEN, "test"))
        .withSampleEvery(java.time.Duration.ofMillis(200)), view, registry, Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    server.close();
    classifier.close();
    encoder.close();
  }

  @Test
  void healthIsPublicAndEverythingElseNeedsTheToken() throws Exception {
    assertThat(get("/health", null).statusCode()).isEqualTo(200);
    streamsUp.set(false);
    assertThat(get("/health", null).statusCode()).isEqualTo(503);
    streamsUp.set(true);

    for (String path : List.of("/metrics", "/topology", "/models", "/openapi.yaml",
        "/dashboard/summary")) {
      HttpResponse<String> none = get(path, null);
      assertThat(none.statusCode()).as(path).isEqualTo(401);
      assertThat(none.headers().firstValue("www-authenticate")).contains(
          "Bearer realm=\"sluice-admin\"");
      assertThat(error(none).get("message").asText()).contains("missing Authorization");
      HttpResponse<String> wrong = get(path, TOKEN + "x");
      assertThat(wrong.statusCode()).as(path).isEqualTo(401);
      assertThat(wrong.body()).doesNotContain(TOKEN);
      assertThat(get(path, TOKEN).statusCode()).as(path).isEqualTo(200);
    }
    assertThat(post("/v1/classify", "{\"texts\": [\"x\"]}", null).statusCode()).isEqualTo(401);
    assertThat(get("/dashboard", null).statusCode()).isEqualTo(200);
  }

  @Test
  void topologyShowsTheSpecWithSecretsMaskedAndPipelineCounters() throws Exception {
    HttpResponse<String> response = get("/topology", TOKEN);
    JsonNode body = json.readTree(response.body());

    assertThat(response.body()).doesNotContain("hunter2-secret");
    assertThat(body.at("/spec/brokers/mqtt/password").asText()).isEqualTo("****");
    assertThat(body.at("/spec/brokers/mqtt/username").asText()).isEqualTo("gw");
    assertThat(body.at("/spec/pipelines/0/steps/0/kind").asText()).isEqualTo("classify");
    assertThat(body.at("/runtime/components/streams/state").asText()).isEqualTo("RUNNING");
    assertThat(body.at("/runtime/pipelines/triage/recordsIn").asDouble()).isEqualTo(42);
    assertThat(body.at("/runtime/pipelines/triage/routed/cloud").asDouble()).isEqualTo(5);
  }

  @Test
  void modelsShowBundleDigestSignerAndHead() throws Exception {
    JsonNode model = json.readTree(get("/models", TOKEN).body()).at("/models/0");

    assertThat(model.get("name").asText()).isEqualTo("encoder");
    assertThat(model.get("bundle").asText()).isEqualTo("all-minilm-l6-v2-q@1.0.0");
    assertThat(model.get("digest").asText()).isEqualTo(encoder.bundle().digest());
    assertThat(model.get("trust").asText()).isEqualTo("SHIPPED");
    assertThat(model.get("signer").asText()).isEqualTo("shipped");
    assertThat(model.at("/heads/0/labels").toString()).contains("electrical", "hydraulic");
    assertThat(model.at("/heads/0/servingVersion").asText()).isEqualTo("1.0.0+head.1");
    assertThat(model.at("/rollout/state").asText()).isEqualTo("IDLE");
  }

  @Test
  void classifyEmbedAndExtractAnswerThroughTheGatewaysModels() throws Exception {
    HttpResponse<String> classified = post("/v1/classify",
        "{\"texts\": [\"the breaker tripped again\", \"hydraulic hose is leaking oil\"]}", TOKEN);
    assertThat(classified.statusCode()).as(classified.body()).isEqualTo(200);
    JsonNode results = json.readTree(classified.body()).get("results");
    assertThat(results.get(0).get("label").asText()).isEqualTo("electrical");
    assertThat(results.get(1).get("label").asText()).isEqualTo("hydraulic");
    assertThat(results.get(0).get("confidence").asDouble()).isBetween(0.0, 1.0);
    assertThat(json.readTree(classified.body()).get("version").asText())
        .isEqualTo("1.0.0+head.1");

    JsonNode embedded = json.readTree(post("/v1/embed",
        "{\"texts\": [\"pump noise\"], \"model\": \"encoder\"}", TOKEN).body());
    assertThat(embedded.get("dimension").asInt()).isEqualTo(384);
    assertThat(embedded.at("/embeddings/0")).hasSize(384);
    float[] direct = encoder.embed("pump noise");
    assertThat(embedded.at("/embeddings/0/0").asDouble()).isCloseTo(direct[0],
        org.assertj.core.data.Offset.offset(1e-6));

    JsonNode extracted = json.readTree(post("/v1/extract",
        "{\"texts\": [\"pressure dropped to 35 bar\"], \"pipeline\": \"triage\"}", TOKEN).body());
    assertThat(extracted.at("/results/0/fields").toString()).contains("35");
  }

  @Test
  void wrongInputGetsA4xxJsonErrorNamingTheField() throws Exception {
    assertError(post("/v1/classify", "{}", TOKEN), 400, "texts", "missing field 'texts'");
    assertError(post("/v1/classify", "{\"texts\": \"one\"}", TOKEN), 400, "texts", "not an array");
    assertError(post("/v1/classify", "{\"texts\": [\"ok\", 7]}", TOKEN), 400, "texts[1]",
        "not a string");
    assertError(post("/v1/classify", "{\"texts\": [\"ok\"], \"pipelin\": \"x\"}", TOKEN), 400,
        "pipelin", "unknown field");
    assertError(post("/v1/classify", "{\"texts\": [\"ok\"], \"pipeline\": \"nope\"}", TOKEN),
        404, "pipeline", "no pipeline 'nope'");
    assertError(post("/v1/embed", "{\"texts\": []}", TOKEN), 400, "texts", "0 items");
    assertError(post("/v1/extract", "[1, 2]", TOKEN), 400, null, "not a JSON object");
    assertError(post("/v1/extract", "{\"texts\": [", TOKEN), 400, null, "not valid JSON");
    HttpResponse<String> notJson = http.send(request("/v1/classify", TOKEN)
        .header("content-type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("hello")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertError(notJson, 415, "content-type", "must be JSON");
    assertError(get("/v2/nothing", TOKEN), 404, null, "no such endpoint");
    assertError(http.send(request("/models", TOKEN).DELETE().build(),
        HttpResponse.BodyHandlers.ofString()), 405, null, "DELETE is not allowed");
    String huge = "{\"texts\": [\"" + "a".repeat(1 << 20) + "\"]}";
    assertThat(post("/v1/classify", huge, TOKEN).statusCode()).isEqualTo(413);
  }

  @Test
  void aServerWithoutATokenListensOnLoopbackOnly() {
    assertThatThrownBy(() -> new AdminSettings("0.0.0.0", 0, java.util.Optional.empty(),
        java.util.Optional.empty(), java.time.Duration.ofSeconds(1)))
        .hasMessageContaining("without a token");
    assertThat(AdminSettings.local(0).host()).isEqualTo("127.0.0.1");
    assertThatThrownBy(() -> AdminToken.of("short", "test")).hasMessageContaining("at least 16");
    assertThat(AdminToken.of(TOKEN, "env X").toString()).doesNotContain(TOKEN);
    assertThat(AdminToken.of(TOKEN, "x").matches(TOKEN)).isTrue();
    assertThat(AdminToken.of(TOKEN, "x").matches(TOKEN.substring(1))).isFalse();
  }

  private static void assertError(HttpResponse<String> response, int status, String field,
      String message) throws Exception {
    AdminClient.assertError(response, status, field, message);
  }

  private static JsonNode error(HttpResponse<String> response) throws Exception {
    return AdminClient.error(response);
  }

  static HttpRequest.Builder request(String path, String token) {
    return AdminClient.request(server.url() + path, token);
  }

  static HttpResponse<String> get(String path, String token) throws Exception {
    return AdminClient.get(server.url() + path, token);
  }

  static HttpResponse<String> post(String path, String body, String token) throws Exception {
    return AdminClient.post(server.url() + path, body, token);
  }
}
