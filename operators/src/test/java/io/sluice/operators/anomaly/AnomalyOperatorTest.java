package io.sluice.operators.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.RecordKind;
import io.sluice.schemas.PipelineRecord;
import io.sluice.schemas.RecordKind;
import io.sluice.schemas.SensorReading;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import io.sluice.schemas.SensorWindowSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnomalyOperatorTest {

  private static final Duration WINDOW = Duration.ofHours(1);
  private static final AnomalyConfig CONFIG = new AnomalyConfig(WINDOW,
      DetectorSettings.defaults(), "anomaly-test-state");

  @TempDir java.nio.file.Path stateDir;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  /** Readings in, scores and summaries out: one driver and its topics. */
  private final class Harness implements AutoCloseable {
    final TopologyTestDriver driver;
    final TestInputTopic<String, PipelineRecord> in;
    final TestOutputTopic<String, InferenceResult> scores;
    final TestOutputTopic<String, SensorWindowSummary> summaries;

    Harness(AnomalyConfig config, String name) {
      Topology topology = new Topology();
      topology.addSource("readings", new StringDeserializer(),
          AvroSerdes.pipelineRecord().deserializer(), "sensors");
      AnomalyOperator.addTo(topology, "anomaly", config, registry, "readings");
      topology.addSink(AnomalyOperator.scoresNode("anomaly"), "scores", new StringSerializer(),
          (topic, value) -> AvroSerdes.inferenceResult().serializer()
              .serialize(topic, ((PipelineRecord) value).getResult()), "anomaly");
      topology.addSink(AnomalyOperator.summariesNode("anomaly"), "summaries",
          new StringSerializer(), (topic, value) -> AvroSerdes.sensorWindowSummary().serializer()
              .serialize(topic, (SensorWindowSummary) value), "anomaly");
      Properties props = new Properties();
      props.put(StreamsConfig.APPLICATION_ID_CONFIG, "anomaly-test-" + name);
      props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(name).toString());
      driver = new TopologyTestDriver(topology, props);
      in = driver.createInputTopic("sensors", new StringSerializer(),
          AvroSerdes.pipelineRecord().serializer());
      scores = driver.createOutputTopic("scores", new StringDeserializer(),
          AvroSerdes.inferenceResult().deserializer());
      summaries = driver.createOutputTopic("summaries", new StringDeserializer(),
          AvroSerdes.sensorWindowSummary().deserializer());
    }

    void pipe(List<SensorReading> readings) {
      for (SensorReading reading : readings) {
        in.pipeInput(reading.getDeviceId(), asPipelineRecord(reading), reading.getTimestamp());
      }
    }

    KeyValueStore<String, byte[]> store() {
      return driver.getKeyValueStore(CONFIG.storeName());
    }

    @Override
    public void close() {
      driver.close();
    }
  }

  /** What the decode operator makes of a reading. */
  static PipelineRecord asPipelineRecord(SensorReading reading) {
    InferenceResult result = InferenceResult.newBuilder()
        .setEventId(reading.getEventId()).setSource(reading.getSource())
        .setDeviceId(reading.getDeviceId()).setTimestamp(reading.getTimestamp())
        .setKind(RecordKind.SENSOR).setMetric(reading.getMetric()).setValue(reading.getValue())
        .build();
    return PipelineRecord.newBuilder().setResult(result)
        .setPayload(ByteBuffer.wrap(reading.toString().getBytes(StandardCharsets.UTF_8))).build();
  }

  private static List<SensorReading> readings(String device, double[] values, int spikeAt) {
    List<SensorReading> readings = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      readings.add(SensorReading.newBuilder()
          .setEventId(device + "-" + i).setSource("sensors").setDeviceId(device)
          .setTimestamp(Instant.ofEpochMilli(SyntheticSeries.time(i))).setMetric("temperature")
          .setValue(i == spikeAt ? values[i] + 40 : values[i]).setUnit("C").build());
    }
    return readings;
  }

  @Test
  void scoresEveryReadingAndSummarisesNormalOnesPerWindow() {
    List<SensorReading> readings = readings("pump-1", SyntheticSeries.dailySine(288 * 4, 2), 288 * 3 + 5);
    try (Harness harness = new Harness(CONFIG, "basic")) {
      harness.pipe(readings);
      List<InferenceResult> results = harness.scores.readValuesToList();
      assertThat(results).hasSize(readings.size());
      InferenceResult spike = results.get(288 * 3 + 5);
      assertThat(spike.getKind()).isEqualTo(RecordKind.SENSOR);
      assertThat(spike.getLabel()).isEqualTo("anomaly");
      assertThat(spike.getAnomalyScore()).isGreaterThanOrEqualTo(CONFIG.detector().threshold());
      assertThat(spike.getValue()).isEqualTo(readings.get(288 * 3 + 5).getValue());
      assertThat(spike.getMetric()).isEqualTo("temperature");
      assertThat(spike.getEventId()).isEqualTo("pump-1-869");
      assertThat(spike.getRoute()).isEqualTo("local");
      long flagged = results.stream().filter(r -> "anomaly".equals(r.getLabel())).count();

      // 96 hours of 5-minute readings: the first 95 windows are closed by later readings.
      List<SensorWindowSummary> summaries = harness.summaries.readValuesToList();
      assertThat(summaries).hasSize(95);
      long counted = summaries.stream().mapToLong(s -> s.getCount() + s.getAnomalies()).sum();
      assertThat(counted).isEqualTo(readings.size() - 12);
      assertThat(summaries.stream().mapToLong(SensorWindowSummary::getAnomalies).sum())
          .isEqualTo(flagged);
      SensorWindowSummary first = summaries.get(0);
      double[] firstHour = readings.subList(0, 12).stream()
          .mapToDouble(SensorReading::getValue).toArray();
      assertThat(first.getCount()).isEqualTo(12);
      assertThat(first.getWindowEnd().toEpochMilli() - first.getWindowStart().toEpochMilli())
          .isEqualTo(WINDOW.toMillis());
      assertThat(first.getMin()).isEqualTo(java.util.Arrays.stream(firstHour).min().orElseThrow());
      assertThat(first.getMax()).isEqualTo(java.util.Arrays.stream(firstHour).max().orElseThrow());
      double mean = java.util.Arrays.stream(firstHour).average().orElseThrow();
      assertThat(first.getMean()).isCloseTo(mean, org.assertj.core.api.Assertions.within(1e-9));
      double variance = java.util.Arrays.stream(firstHour).map(v -> (v - mean) * (v - mean)).sum() / 12;
      assertThat(first.getStd()).isCloseTo(Math.sqrt(variance), org.assertj.core.api.Assertions.within(1e-9));
    }
    assertThat(registry.get("sluice.anomaly.readings").counter().count()).isEqualTo(readings.size());
  }

  @Test
  void aRestartResumesFromTheStoreExactly() {
    List<SensorReading> readings = readings("pump-2", SyntheticSeries.dailySine(288 * 3, 4), 288 * 2 + 40);
    List<InferenceResult> uninterrupted;
    List<SensorWindowSummary> uninterruptedSummaries;
    try (Harness harness = new Harness(CONFIG, "whole")) {
      harness.pipe(readings);
      uninterrupted = harness.scores.readValuesToList();
      uninterruptedSummaries = harness.summaries.readValuesToList();
    }

    int cut = 288 * 2 + 17;
    List<InferenceResult> resumed = new ArrayList<>();
    List<SensorWindowSummary> resumedSummaries = new ArrayList<>();
    List<KeyValue<String, byte[]>> saved = new ArrayList<>();
    try (Harness before = new Harness(CONFIG, "before")) {
      before.pipe(readings.subList(0, cut));
      resumed.addAll(before.scores.readValuesToList());
      resumedSummaries.addAll(before.summaries.readValuesToList());
      try (KeyValueIterator<String, byte[]> all = before.store().all()) {
        all.forEachRemaining(saved::add);
      }
    }
    assertThat(saved).hasSize(1);
    // A new instance whose store was restored from the changelog: same key-values, empty cache.
    try (Harness after = new Harness(CONFIG, "after")) {
      saved.forEach(kv -> after.store().put(kv.key, kv.value));
      after.pipe(readings.subList(cut, readings.size()));
      resumed.addAll(after.scores.readValuesToList());
      resumedSummaries.addAll(after.summaries.readValuesToList());
    }
    assertThat(resumed).isEqualTo(uninterrupted);
    assertThat(resumedSummaries).isEqualTo(uninterruptedSummaries);
    assertThat(resumed.stream().filter(r -> "anomaly".equals(r.getLabel()))).isNotEmpty();
  }

  @Test
  void quietSeriesHaveTheirWindowClosedByStreamTime() {
    try (Harness harness = new Harness(CONFIG, "quiet")) {
      List<SensorReading> a = readings("a", SyntheticSeries.dailySine(6, 1), -1);
      harness.pipe(a); // 30 minutes of device a, then silence
      List<SensorReading> b = readings("b", SyntheticSeries.dailySine(48, 1), -1);
      harness.pipe(b); // device b advances stream time by 4 hours
      List<SensorWindowSummary> summaries = harness.summaries.readValuesToList();
      assertThat(summaries).filteredOn(s -> s.getDeviceId().equals("a")).singleElement()
          .satisfies(s -> assertThat(s.getCount()).isEqualTo(6));
    }
  }

  @Test
  void stateWrittenUnderOtherSettingsIsResetWithACount() {
    List<SensorReading> readings = readings("pump-3", SyntheticSeries.dailySine(50, 5), -1);
    List<KeyValue<String, byte[]>> saved = new ArrayList<>();
    try (Harness before = new Harness(CONFIG, "old")) {
      before.pipe(readings.subList(0, 25));
      try (KeyValueIterator<String, byte[]> all = before.store().all()) {
        all.forEachRemaining(saved::add);
      }
    }
    AnomalyConfig changed = new AnomalyConfig(WINDOW,
        DetectorSettings.defaults().withMethod(DetectionMethod.CHANGE), CONFIG.storeName());
    try (Harness after = new Harness(changed, "new")) {
      saved.forEach(kv -> after.store().put(kv.key, kv.value));
      after.pipe(readings.subList(25, 50));
      assertThat(after.scores.readValuesToList()).hasSize(25);
    }
    assertThat(registry.get("sluice.anomaly.state.resets").counter().count()).isEqualTo(1.0);
  }

  @Test
  void seriesKeyKeepsDeviceAndMetricApart() {
    assertThat(io.sluice.operators.anomaly.internal.AnomalyProcessor.seriesKey("a", "b/c"))
        .isNotEqualTo(io.sluice.operators.anomaly.internal.AnomalyProcessor.seriesKey("a/b", "c"));
  }
}
