package io.sluice.runtime.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.runtime.AppMeters;
import io.sluice.runtime.Metrics;
import io.sluice.runtime.RuntimeOptions;
import io.sluice.runtime.TopologyRuntime;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.TopologySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The review page in headless Chromium, driven by the keyboard over the DevTools protocol: three
 * notes routed to review fill the queue; {@code j} then {@code 1} takes the second note's best
 * candidate, {@code x} rejects the next, {@code n} with a typed label and Enter labels the last.
 * Each decided item leaves the list, the feedback counter moves for labels only, and the gateway
 * learns the labels. Skipped when no Chromium is installed.
 */
class ReviewPageChromiumIT {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String TOKEN = "review-page-token-0123456789";

  @TempDir Path dir;

  @Test
  void aReviewerDecidesWithTheKeyboardAndTheGatewayLearns() throws Exception {
    Optional<Path> chromium = DashboardChromiumIT.chromium();
    assumeTrue(chromium.isPresent(),
        "Skipped: no chromium on PATH (apt-get install -y chromium)");
    TopologySpec spec = new TopologyLoader(name -> null).parse("""
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: review-page, namespace: revpage}
        brokers:
          mqtt: {url: embedded}
          kafka: {bootstrap: embedded, partitions: 1}
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
                    mechanical: [bearing noise on the conveyor, drive belt worn]
            route:
              - {when: restricted, to: local}
              - {when: "payload.kind == 'odd'", to: review}
              - {to: local}
        """, "review-page.yaml");
    PrometheusMeterRegistry registry = Metrics.registry(spec.metadata().name());
    try (TopologyRuntime runtime = TopologyRuntime.start(spec, RuntimeOptions.temporary(),
        registry, Clock.systemUTC());
        AdminServer admin = AdminServer.start(AdminSettings.guarded(0,
            AdminToken.of(TOKEN, "test")), GatewayView.of(runtime), registry,
            Clock.systemUTC())) {
      await().atMost(Duration.ofSeconds(90)).until(() -> runtime.health().up());
      MqttClient device = new MqttClient(runtime.mqttUrl(), "review-page-device",
          new MemoryPersistence());
      device.connect(new MqttConnectionOptions());
      publish(device, "p-1", "oil dripping from the ram");
      publish(device, "p-2", "grinding noise from the gearbox");
      publish(device, "p-3", "pump cavitating loudly");
      device.disconnect();
      device.close();
      await().atMost(Duration.ofSeconds(60)).until(() -> review(admin).path("pending").asInt()
          == 3);
      String secondBest = review(admin).path("items").get(1).path("candidates").get(0)
          .path("label").asText();

      try (DevTools page = DevTools.open(chromium.get(), Files.createDirectory(
          dir.resolve("profile")), admin.url() + "/dashboard/review#token=" + TOKEN)) {
        await().atMost(Duration.ofSeconds(30)).until(() -> rows(page) == 3);
        assertThat(page.evaluate("document.getElementById('review-feedback').textContent")
            .asText()).isEqualTo("0");
        assertThat(page.evaluate("document.body.innerHTML.indexOf('" + TOKEN + "')").asInt())
            .isEqualTo(-1);

        page.press("j", "KeyJ", 74, true);
        assertThat(page.evaluate("document.querySelector('#items tr.selected').dataset.id")
            .asText()).isEqualTo("p-2");
        page.press("1", "Digit1", 49, true);
        await().atMost(Duration.ofSeconds(30)).until(() -> rows(page) == 2
            && "1".equals(page.evaluate(
                "document.getElementById('review-feedback').textContent").asText()));
        assertThat(ids(page)).isEqualTo("p-1,p-3");

        page.press("x", "KeyX", 88, true); // the selection stays on the second row: p-3
        await().atMost(Duration.ofSeconds(30)).until(() -> rows(page) == 1);
        assertThat(ids(page)).isEqualTo("p-1");

        page.press("n", "KeyN", 78, true);
        page.type("hydraulic leak");
        page.press("Enter", "Enter", 13, false);
        await().atMost(Duration.ofSeconds(30)).until(() -> rows(page) == 0
            && "2".equals(page.evaluate(
                "document.getElementById('review-feedback').textContent").asText()));
      }
      JsonNode after = review(admin);
      assertThat(after.path("pending").asInt()).isZero();
      assertThat(after.path("decided").asInt()).isEqualTo(3);
      assertThat(after.path("labelled").asInt()).isEqualTo(2);
      // The labels reach the classifier: the new one is a label of its serving head now.
      var classifier = GatewayView.of(runtime).classifiers().get("triage");
      await().atMost(Duration.ofSeconds(60)).until(() -> classifier.head().orElseThrow()
          .labels().contains("hydraulic leak"));
      assertThat(classifier.classify("oil dripping from the ram").label())
          .isEqualTo("hydraulic leak");
      assertThat(secondBest).isIn("electrical", "hydraulic", "mechanical");
    }
  }

  private static int rows(DevTools page) throws Exception {
    return page.evaluate("document.body.dataset.loaded === 'true'"
        + " ? document.querySelectorAll('#items tr.item').length : -1").asInt();
  }

  private static String ids(DevTools page) throws Exception {
    return page.evaluate("Array.from(document.querySelectorAll('#items tr.item'))"
        + ".map(function (r) { return r.dataset.id; }).join(',')").asText();
  }

  private static JsonNode review(AdminServer admin) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(admin.url() + "/v1/review")).header("Authorization", "Bearer " + TOKEN)
        .build(), HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  private static void publish(MqttClient client, String id, String text) throws Exception {
    MqttMessage message = new MqttMessage(JSON.writeValueAsBytes(Map.of("eventId", id,
        "text", text, "kind", "odd")));
    message.setQos(1);
    client.publish("plant/m1/notes", message);
  }
}
