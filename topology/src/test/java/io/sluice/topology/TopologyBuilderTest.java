package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.schemas.DeadLetterType;
import io.sluice.schemas.ForwardReason;
import io.sluice.schemas.ForwardedRecord;
import io.sluice.schemas.InferenceResult;
import io.sluice.topology.testing.PipelineTestDriver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopologyBuilderTest {

  static final String GATEWAY = """
      apiVersion: sluice/v1
      kind: Gateway
      metadata: {name: line-1}
      models:
        enc: {bundle: "classpath:all-minilm-l6-v2-q"}
      sources:
        - {name: notes, mqtt: {topic: "p/+/notes"}, schema: TextEvent}
        - {name: sensors, mqtt: {topic: "p/+/sensors/#"}, schema: SensorReading}
      pipelines:
        - name: triage
          from: notes
          steps:
            - redact: {patterns: [email]}
            - classify:
                model: enc
                labels:
                  electrical: [breaker, fuse]
                  safety: [guard, smoke]
            - extract: {patterns: [measurement]}
            - novelty: {model: enc}
          route:
            - {when: restricted, to: local}
            - {when: "label == 'safety'", to: "mqtt:p/andon"}
            - {when: "novel", to: cloud}
            - {when: "confidence < 0.5", to: review}
            - {when: "payload.noise == 'yes'", to: drop}
            - {to: local}
          inference: {maxBatch: 4, maxWait: 50ms}
        - name: watch
          from: sensors
          steps:
            - window: {size: 1m}
          route:
            - {when: restricted, to: local}
            - {when: anomaly, to: cloud}
            - {to: local}
      """;

  final List<KeywordModel> models = new ArrayList<>();

  @Test
  void routesEachRecordToOnePlaceAfterRedactingClassifyingAndExtracting() {
    try (PipelineTestDriver driver = PipelineTestDriver.of(GATEWAY,
        KeywordModel.factory(models))) {
      driver.pipe("notes", "m1", "{\"eventId\":\"a\",\"text\":\"breaker tripped at 240 V\"}");
      driver.pipe("notes", "m1", "{\"eventId\":\"b\",\"text\":\"guard missing, mail x@y.com\"}");
      driver.pipe("notes", "m2", "{\"eventId\":\"c\",\"text\":\"zzz strange hum, ask a@b.org\"}");
      driver.pipe("notes", "m2", "{\"eventId\":\"d\",\"text\":\"something odd\"}");
      driver.pipe("notes", "m3", "{\"eventId\":\"e\",\"text\":\"zzz secret\",\"restricted\":true}");
      driver.pipe("notes", "m3", "{\"eventId\":\"f\",\"text\":\"fuse ok\",\"noise\":\"yes\"}");
      driver.pipe("notes", "m3", "{\"text\": broken");
      driver.advanceWallClockTime(Duration.ofMillis(100));

      List<InferenceResult> local = driver.results();
      assertThat(local).extracting(InferenceResult::getEventId).containsExactly("a", "e");
      InferenceResult a = local.get(0);
      assertThat(a.getLabel()).isEqualTo("electrical");
      assertThat(a.getConfidence()).isEqualTo(0.9);
      assertThat(a.getNovel()).isFalse();
      assertThat(a.getModel().getName()).isEqualTo("keywords");
      assertThat(a.getFields()).anySatisfy(f -> {
        assertThat(f.getName()).isEqualTo("measurement");
        assertThat(f.getValue()).contains("240");
      });
      assertThat(local.get(1).getRoute()).isEqualTo("local");

      List<PipelineTestDriver.Alert> alerts = driver.alerts();
      assertThat(alerts).singleElement().satisfies(alert -> {
        assertThat(alert.mqttTopic()).isEqualTo("p/andon");
        assertThat(alert.json()).contains("\"eventId\":\"b\"").contains("[EMAIL]")
            .doesNotContain("x@y.com");
      });

      List<ForwardedRecord> forwarded = driver.forwarded();
      assertThat(forwarded).singleElement().satisfies(f -> {
        assertThat(f.getEventId()).isEqualTo("c");
        assertThat(f.getReason()).isEqualTo(ForwardReason.NOVEL);
        assertThat(f.getGateway()).isEqualTo("line-1");
        assertThat(f.getResult().getText()).doesNotContain("a@b.org").contains("[EMAIL]");
        assertThat(new String(f.getPayload().array(), StandardCharsets.UTF_8))
            .doesNotContain("a@b.org").contains("[EMAIL]");
      });
      assertThat(driver.review()).extracting(InferenceResult::getEventId).containsExactly("d");
      assertThat(driver.deadLetters()).singleElement()
          .satisfies(d -> assertThat(d.getErrorType()).isEqualTo(DeadLetterType.MALFORMED));
      assertThat(driver.registry().find("sluice.routed").tag("route", "drop").counter()
          .count()).isEqualTo(1.0);
    }
  }

  @Test
  void batchesWaitForSizeOrTime() {
    try (PipelineTestDriver driver = PipelineTestDriver.of(GATEWAY,
        KeywordModel.factory(models))) {
      KeywordModel model = models.get(0);
      for (int i = 0; i < 3; i++) {
        driver.pipe("notes", "m1", "{\"text\":\"fuse " + i + "\"}");
      }
      assertThat(model.batches).isEmpty();
      assertThat(driver.results()).isEmpty();
      driver.pipe("notes", "m1", "{\"text\":\"fuse 3\"}");
      assertThat(model.batches).hasSize(1).first().asList().hasSize(4);
      assertThat(driver.results()).hasSize(4);

      driver.pipe("notes", "m1", "{\"text\":\"fuse 4\"}");
      driver.advanceWallClockTime(Duration.ofMillis(20));
      assertThat(model.batches).hasSize(1);
      driver.advanceWallClockTime(Duration.ofMillis(40));
      assertThat(model.batches).hasSize(2);
      assertThat(driver.results()).extracting(InferenceResult::getText)
          .containsExactly("fuse 4");
    }
  }

  @Test
  void sensorAnomaliesGoToTheCloudAndNormalReadingsStayLocal() {
    try (PipelineTestDriver driver = PipelineTestDriver.of(GATEWAY,
        KeywordModel.factory(models))) {
      long t0 = 1_767_225_600_000L;
      for (int i = 0; i < 400; i++) {
        double v = i == 390 ? 500 : 20 + Math.sin(i / 10.0);
        driver.pipe("sensors", "pump-1", "{\"eventId\":\"r" + i + "\",\"metric\":\"temp\","
            + "\"value\":" + v + ",\"timestamp\":" + (t0 + i * 5_000L) + "}");
      }
      List<ForwardedRecord> forwarded = driver.forwarded();
      assertThat(forwarded).extracting(ForwardedRecord::getEventId).contains("r390");
      assertThat(forwarded).allSatisfy(f -> {
        assertThat(f.getReason()).isEqualTo(ForwardReason.ANOMALY);
        assertThat(f.getResult().getAnomaly()).isTrue();
      });
      assertThat(driver.results().size() + forwarded.size()).isEqualTo(400);
      assertThat(driver.summaries()).isNotEmpty()
          .allSatisfy(s -> assertThat(s.getDeviceId()).isEqualTo("pump-1"));
    }
  }
}
