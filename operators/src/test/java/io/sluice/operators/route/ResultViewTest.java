package io.sluice.operators.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.schemas.ExtractedField;
import io.sluice.schemas.ForwardReason;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.RecordKind;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultViewTest {

  static InferenceResult.Builder base() {
    return InferenceResult.newBuilder().setEventId("e-1").setSource("notes")
        .setDeviceId("press-4").setTimestamp(Instant.parse("2026-11-22T08:00:00Z"))
        .setKind(RecordKind.TEXT);
  }

  static ExtractedField field(String name, String value, double confidence) {
    return ExtractedField.newBuilder().setName(name).setValue(value).setConfidence(confidence)
        .build();
  }

  @Test
  void readsEveryFieldOfTheResult() {
    ResultView v = ResultView.of(base().setLabel("electrical").setConfidence(0.82)
        .setNovelty(0.4).setNovel(false).setAnomalyScore(0.1).setAnomaly(false)
        .setRestricted(true).setTokens(17).setText("breaker tripped").setMetric("current")
        .setValue(12.5).setAttributes(Map.of("priority", "high"))
        .setFields(List.of(field("part_number", "4471-220", 0.9),
            field("part_number", "4471-221", 0.6), field("equipment_id", "P-101", 0.8)))
        .build());
    assertThat(v.label()).isEqualTo("electrical");
    assertThat(v.confidence()).isEqualTo(0.82);
    assertThat(v.novelty()).isEqualTo(0.4);
    assertThat(v.novel()).isFalse();
    assertThat(v.anomalyScore()).isEqualTo(0.1);
    assertThat(v.anomaly()).isFalse();
    assertThat(v.restricted()).isTrue();
    assertThat(v.tokens()).isEqualTo(17);
    assertThat(v.kind()).isEqualTo("TEXT");
    assertThat(v.source()).isEqualTo("notes");
    assertThat(v.device()).isEqualTo("press-4");
    assertThat(v.metric()).isEqualTo("current");
    assertThat(v.value()).isEqualTo(12.5);
    assertThat(v.text()).isEqualTo("breaker tripped");
    assertThat(v.attribute("priority")).isEqualTo("high");
    assertThat(v.attribute("shift")).isNull();
    assertThat(v.field("part_number")).isEqualTo("4471-220");
    assertThat(v.fieldConfidence("part_number")).isEqualTo(0.6);
    assertThat(v.field("serial")).isNull();
    assertThat(v.fieldConfidence("serial")).isNull();
    assertThat(v.risk()).isCloseTo(0.18, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void unsetOptionalFieldsAreMissing() {
    ResultView v = ResultView.of(base().build());
    assertThat(v.confidence()).isNull();
    assertThat(v.novel()).isNull();
    assertThat(v.label()).isNull();
    assertThat(v.tokens()).isNull();
    assertThat(v.restricted()).isFalse();
    assertThat(v.risk()).isZero();
  }

  @Test
  void routesAnAvroResult() {
    RoutingRules rules = RoutingRules.compile(RoutingRulesTest.EXAMPLE);
    assertThat(rules.route(ResultView.of(base().setNovel(true).build())))
        .isEqualTo(new RouteDecision(Target.CLOUD, ForwardReason.NOVEL, 1, false));
    assertThat(rules.route(ResultView.of(base().setNovel(true).setRestricted(true).build())))
        .isEqualTo(new RouteDecision(Target.LOCAL, null, 0, false));
    assertThat(rules.route(ResultView.of(base().setKind(RecordKind.SENSOR).setAnomaly(true)
        .setAnomalyScore(0.99).setConfidence(0.9).build())).reason())
        .isEqualTo(ForwardReason.ANOMALY);
  }
}
