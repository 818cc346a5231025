package io.sluice.runtime.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.operators.OperatorMeters;
import io.sluice.runtime.Metrics;
import io.sluice.runtime.RuntimeOptions;
import io.sluice.runtime.TopologyRuntime;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.TopologySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in headless Chromium against a running gateway: embedded brokers, a topology that
 * classifies with the default encoder and forwards what it is unsure of, notes and malformed
 * messages over MQTT. Once every message is accounted for, Chromium loads the page (token in the
 * fragment), runs its script, and the DOM it dumps must show the gateway's own figures. A
 * screenshot is left in target/dashboard.png. Skipped when no Chromium is installed.
 */
class DashboardChromiumIT {

  static final String TOKEN = "dashboard-it-token-0123456789";
  static final String TOPOLOGY = """
      apiVersion: sluice/v1
      kind: Gateway
      metadata: {name: dashboard-it, namespace: dash}
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
                  electrical: [breaker tripped on the main feeder, motor has no power, fuse blown in panel]
                  hydraulic: [hydraulic hose leaking, low hydraulic pressure on the press, oil seal leaking]
            - extract: {patterns: [measurement]}
            - novelty: {model: encoder}
          route:
            - {when: restricted, to: local}
            - {when: "novel or confidence < 0.6", to: cloud}
            - {to: local}
      """;
  static final List<String> NOTES = List.of("breaker tripped again on line 3",
      "hydraulic hose leaking at the fitting", "motor will not start, no power",
      "pressure dropped to 35 bar on the press", "the canteen coffee machine is broken",
      "fuse blown in the control panel", "oil seal leaking on cylinder 2",
      "forklift battery needs charging");

  @TempDir Path dir;

  @Test
  void theDashboardShowsTheGatewaysFigures() throws Exception {
    Optional<Path> chromium = chromium();
    assumeTrue(chromium.isPresent(),
        "Skipped: no chromium on PATH (apt-get install -y chromium)");
    TopologySpec spec = new TopologyLoader(name -> null).parse(TOPOLOGY, "dashboard-it.yaml");
    PrometheusMeterRegistry registry = Metrics.registry(spec.metadata().name());
    int good = 48;
    int bad = 4;
    try (TopologyRuntime runtime = TopologyRuntime.start(spec, RuntimeOptions.temporary(),
        registry, Clock.systemUTC());
        AdminServer admin = AdminServer.start(AdminSettings.guarded(0,
            AdminToken.of(TOKEN, "test")).withSampleEvery(Duration.ofMillis(250)),
            GatewayView.of(runtime), registry, Clock.systemUTC())) {
      await().atMost(Duration.ofSeconds(90)).until(() -> runtime.health().up());
      MqttClient device = new MqttClient(runtime.mqttUrl(), "dashboard-device",
          new MemoryPersistence());
      device.connect(new MqttConnectionOptions());
      for (int i = 0; i < good; i++) {
        publish(device, "plant/m" + (i % 3) + "/notes", "{\"eventId\":\"n-" + i
            + "\",\"text\":\"" + NOTES.get(i % NOTES.size()) + "\"}");
      }
      for (int i = 0; i < bad; i++) {
        publish(device, "plant/m1/notes", "{\"eventId\":\"bad-" + i + "\",\"text\":");
      }
      device.disconnect();
      device.close();
      await().atMost(Duration.ofSeconds(90)).until(() ->
          count(registry, OperatorMeters.ROUTED.meterName()) == good
              && count(registry, OperatorMeters.DLQ.meterName()) == bad);
      double forwarded = registry.find(OperatorMeters.ROUTED.meterName()).tag("route", "cloud")
          .counters().stream().mapToDouble(c -> c.count()).sum();

      // The local API answers through the running gateway's classifier too.
      HttpResponse<String> classified = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(admin.url() + "/v1/classify")).header("Authorization", "Bearer " + TOKEN)
          .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
              "{\"texts\": [\"breaker tripped on line 4\"]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(classified.statusCode()).as(classified.body()).isEqualTo(200);
      assertThat(classified.body()).contains("\"label\":\"electrical\"");

      // The page shows the forward share of the last few samples (2.5 s here) while records are
      // routed, and the total share once none were routed in that window: wait for the latter,
      // so that the page and the counters read above describe the same records.
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        com.fasterxml.jackson.databind.JsonNode summary = new com.fasterxml.jackson.databind
            .ObjectMapper().readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(admin.url() + "/dashboard/summary"))
                .header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        // No forward in the window and the total share shown: the window is past the routing.
        return summary.at("/rates/forwardedPerSecond").asDouble() == 0
            && Math.abs(summary.at("/rates/forwardShare").asDouble() - forwarded / good) < 1e-9;
      });
      String url = admin.url() + "/dashboard#token=" + TOKEN;
      String dom = runChromium(chromium.get(), "--dump-dom", url);

      assertThat(dom).contains("data-loaded=\"true\"");
      assertThat(text(dom, "topology")).isEqualTo("dashboard-it");
      assertThat(text(dom, "health")).isEqualTo("UP");
      assertThat(text(dom, "records-in")).isEqualTo(String.valueOf(good + bad));
      assertThat(text(dom, "dead-letters")).isEqualTo(String.valueOf(bad));
      assertThat(text(dom, "forwarded")).isEqualTo(String.valueOf(Math.round(forwarded)));
      assertThat(text(dom, "forward-share")).isEqualTo(String.format(java.util.Locale.ROOT,
          "%.1f %%", 100 * forwarded / good));
      assertThat(text(dom, "bytes-saved")).matches("[0-9.]+ (B|KiB)");
      assertThat(Double.parseDouble(text(dom, "batch-mean"))).isGreaterThan(0);
      assertThat(Double.parseDouble(text(dom, "lat-inference-p95"))).isGreaterThan(0);
      assertThat(dom).contains("data-key=\"MALFORMED\"");
      assertThat(dom).contains("all-minilm-l6-v2-q@1.0.0").contains("SHIPPED")
          .contains("1.0.0+head.1").contains("IDLE").contains("no rollout yet");
      assertThat(dom).doesNotContain(TOKEN);

      Path screenshot = Path.of("target", "dashboard.png").toAbsolutePath();
      Files.deleteIfExists(screenshot);
      runChromium(chromium.get(), "--screenshot=" + screenshot, "--window-size=1280,1250",
          "--hide-scrollbars", url);
      assertThat(screenshot).isRegularFile();
      assertThat(Files.size(screenshot)).isGreaterThan(10_000);
    }
  }

  private String runChromium(Path chromium, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless",
        "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir="
            + Files.createTempDirectory(dir, "chromium-profile"),
        "--virtual-time-budget=8000"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectError(dir.resolve("chromium.log")
        .toFile()).start();
    byte[] out = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("chromium finished").isTrue();
    assertThat(process.exitValue()).as(Files.readString(dir.resolve("chromium.log"))).isZero();
    return new String(out, StandardCharsets.UTF_8);
  }

  private static String text(String dom, String id) {
    Matcher m = Pattern.compile("id=\"" + id + "\"[^>]*>([^<]*)<").matcher(dom);
    assertThat(m.find()).as("element #%s in the dumped DOM", id).isTrue();
    return m.group(1).strip();
  }

  private static double count(PrometheusMeterRegistry registry, String name) {
    return registry.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  private static void publish(MqttClient client, String topic, String payload) throws Exception {
    MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
    message.setQos(1);
    client.publish(topic, message);
  }

  static Optional<Path> chromium() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Stream.of(path.split(java.io.File.pathSeparator))
        .flatMap(d -> Stream.of("chromium", "chromium-browser", "google-chrome")
            .map(name -> Path.of(d, name)))
        .filter(Files::isExecutable).findFirst();
  }
}
