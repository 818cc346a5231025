package io.sluice.runtime.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.connectors.embedded.EmbeddedKafka;
import io.sluice.runtime.AppMeters;
import io.sluice.runtime.Metrics;
import io.sluice.runtime.RuntimeOptions;
import io.sluice.runtime.TopologyRuntime;
import io.sluice.runtime.admin.AdminServer;
import io.sluice.runtime.admin.AdminSettings;
import io.sluice.runtime.admin.AdminToken;
import io.sluice.runtime.admin.GatewayView;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.Feedback;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.TopologySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The review queue on real brokers: notes a rule routes to review appear at GET /v1/review with
 * their reason and the model's candidates; a person's label goes to the feedback topic (the
 * gateway learns it) and to the audit topic, once; a second decision on the item is refused; and
 * after a restart the decided items stay decided.
 */
class ReviewQueueIT {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String TOKEN = "review-it-token-0123456789";
  static final String TOPOLOGY = """
      apiVersion: sluice/v1
      kind: Gateway
      metadata: {name: review-it, namespace: revit}
      brokers:
        mqtt: {url: embedded}
        kafka: {bootstrap: "%s", partitions: 1}
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
          route:
            - {when: restricted, to: local}
            - {when: "payload.kind == 'odd'", to: review}
            - {to: local}
      """;

  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();

  @Test
  void peopleDecideWhatWasRoutedToReviewOnceAndTheGatewayLearnsIt() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      TopologySpec spec = new TopologyLoader(name -> null).parse(
          TOPOLOGY.formatted(kafka.bootstrapServers()), "review-it.yaml");
      PrometheusMeterRegistry registry = Metrics.registry(spec.metadata().name());
      try (TopologyRuntime runtime = TopologyRuntime.start(spec,
          new RuntimeOptions(dir.resolve("a"), 0, 0, null), registry, Clock.systemUTC());
          AdminServer admin = admin(runtime, registry)) {
        await().atMost(Duration.ofSeconds(90)).until(() -> runtime.health().up());
        MqttClient device = new MqttClient(runtime.mqttUrl(), "review-device",
            new MemoryPersistence());
        device.connect(new MqttConnectionOptions());
        publish(device, "r-1", "oil dripping from the ram of the press", "odd");
        publish(device, "r-2", "smell of burning near the panel", "odd");
        publish(device, "r-3", "strange noise from the fan", "odd");
        publish(device, "k-1", "breaker tripped again", "normal");
        device.disconnect();
        device.close();

        await().atMost(Duration.ofSeconds(60)).until(() -> get(admin, "/v1/review")
            .path("pending").asInt() == 3);
        JsonNode list = get(admin, "/v1/review?limit=2");
        assertThat(list.path("items")).hasSize(2);
        JsonNode first = list.path("items").get(0);
        assertThat(first.path("id").asText()).isEqualTo("r-1");
        assertThat(first.path("text").asText()).isEqualTo("oil dripping from the ram of the press");
        assertThat(first.path("reason").asText()).isEqualTo("route rule 2: payload.kind == 'odd'");
        assertThat(first.path("candidates")).hasSize(2);
        double sum = 0;
        for (JsonNode c : first.path("candidates")) {
          sum += c.path("confidence").asDouble();
        }
        assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(first.path("candidates").get(0).path("label").asText())
            .isEqualTo(first.path("label").asText());

        assertThat(post(admin, "/v1/review/r-1", "{\"label\":\"hydraulic\",\"reviewer\":\"ana\"}")
            .statusCode()).isEqualTo(200);
        HttpResponse<String> again = post(admin, "/v1/review/r-1",
            "{\"label\":\"electrical\",\"reviewer\":\"ben\"}");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(post(admin, "/v1/review/nope", "{\"reject\":true,\"reviewer\":\"ana\"}")
            .statusCode()).isEqualTo(404);
        assertThat(post(admin, "/v1/review/r-2", "{\"label\":\"x\"}").statusCode())
            .isEqualTo(400);
        assertThat(post(admin, "/v1/review/r-2",
            "{\"label\":\"x\",\"reject\":true,\"reviewer\":\"ana\"}").statusCode()).isEqualTo(400);
        assertThat(post(admin, "/v1/review/r-2", "{\"reject\":true,\"reviewer\":\"ana\"}")
            .statusCode()).isEqualTo(200);
        assertThat(get(admin, "/v1/review").path("pending").asInt()).isEqualTo(1);

        List<Feedback> feedback = new ArrayList<>();
        List<JsonNode> audit = new ArrayList<>();
        readUntil(kafka, spec.topics().feedback(), 1, r -> feedback.add(
            AvroSerdes.feedback().deserializer().deserialize(r.topic(), r.value())));
        readUntil(kafka, spec.topics().audit(), 2, r -> audit.add(JSON.readTree(r.value())));
        assertThat(feedback).hasSize(1);
        assertThat(feedback.get(0).getEventId()).isEqualTo("r-1");
        assertThat(feedback.get(0).getLabel()).isEqualTo("hydraulic");
        assertThat(feedback.get(0).getGateway()).isEqualTo("review-it");
        assertThat(feedback.get(0).getModel().getVersion()).isEqualTo("ana");
        assertThat(audit).extracting(a -> a.path("action").asText())
            .containsExactly("review.label", "review.reject");
        assertThat(audit.get(0).path("reviewer").asText()).isEqualTo("ana");
        // The gateway's learner takes the person's label like a cloud verdict.
        await().atMost(Duration.ofSeconds(60)).until(() ->
            registry.find(AppMeters.FEEDBACK_TAUGHT.meterName()).counters().stream()
                .mapToDouble(c -> c.count()).sum() >= 1);
        assertThat(registry.find(AppMeters.REVIEW_DECISIONS.meterName()).tag("decision", "label")
            .counter().count()).isEqualTo(1);
      }
      // Restarted, the queue is read back from Kafka: decided items do not come back.
      try (TopologyRuntime runtime = TopologyRuntime.start(spec,
          new RuntimeOptions(dir.resolve("b"), 0, 0, null),
          Metrics.registry(spec.metadata().name()), Clock.systemUTC());
          AdminServer admin = admin(runtime, Metrics.registry(spec.metadata().name()))) {
        JsonNode list = get(admin, "/v1/review");
        assertThat(list.path("items")).extracting(i -> i.path("id").asText())
            .containsExactly("r-3");
        assertThat(post(admin, "/v1/review/r-1", "{\"label\":\"electrical\",\"reviewer\":\"ben\"}")
            .statusCode()).isEqualTo(409);
      }
    }
  }

  private static AdminServer admin(TopologyRuntime runtime, PrometheusMeterRegistry registry) {
    return AdminServer.start(AdminSettings.guarded(0, AdminToken.of(TOKEN, "test")),
        GatewayView.of(runtime), registry, Clock.systemUTC());
  }

  private JsonNode get(AdminServer admin, String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(admin.url() + path))
        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private HttpResponse<String> post(AdminServer admin, String path, String body)
      throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(admin.url() + path))
        .header("Authorization", "Bearer " + TOKEN).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  interface RecordSink {
    void accept(ConsumerRecord<byte[], byte[]> record) throws Exception;
  }

  private static void readUntil(EmbeddedKafka kafka, String topic, int expected, RecordSink sink)
      throws Exception {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "review-it-" + topic);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p,
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(read::add);
        return read.size() >= expected;
      });
      consumer.poll(Duration.ofMillis(500)).forEach(read::add);
    }
    for (ConsumerRecord<byte[], byte[]> r : read) {
      sink.accept(r);
    }
  }

  private static void publish(MqttClient client, String id, String text, String kind)
      throws Exception {
    MqttMessage message = new MqttMessage(JSON.writeValueAsBytes(Map.of("eventId", id,
        "text", text, "kind", kind)));
    message.setQos(1);
    client.publish("plant/m1/notes", message);
  }
}
