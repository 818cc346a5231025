package io.sluice.operators.sparkplug;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.operators.decode.EventSchema;
import io.sluice.operators.sparkplug.internal.NodeSession;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.DeadLetter;
import io.sluice.schemas.DeadLetterType;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.PipelineRecord;
import io.sluice.schemas.RecordHeaders;
import io.sluice.schemas.RecordKind;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.eclipse.tahu.message.SparkplugBPayloadEncoder;
import org.eclipse.tahu.message.model.DataSet;
import org.eclipse.tahu.message.model.DataSetDataType;
import org.eclipse.tahu.message.model.Metric;
import org.eclipse.tahu.message.model.MetricDataType;
import org.eclipse.tahu.message.model.PropertyDataType;
import org.eclipse.tahu.message.model.PropertySet;
import org.eclipse.tahu.message.model.PropertyValue;
import org.eclipse.tahu.message.model.Row;
import org.eclipse.tahu.message.model.SparkplugBPayload;
import org.eclipse.tahu.message.model.Template;
import org.eclipse.tahu.message.model.Value;
import org.eclipse.tahu.protobuf.SparkplugBProto;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Sparkplug host state machine, fed payloads built with Eclipse Tahu's own encoder. */
class SparkplugProcessorTest {

  private static final long T0 = 1_765_000_000_000L;
  private static final String NODE = "spBv1.0/plant/NBIRTH/edge1";

  @TempDir java.nio.file.Path stateDir;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MutableClock clock = new MutableClock(T0);
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> in;
  private TestOutputTopic<String, InferenceResult> out;
  private TestOutputTopic<String, DeadLetter> dlq;
  private TestOutputTopic<String, byte[]> commands;
  private long seq;

  private void start(EventSchema schema) {
    Topology topology = new Topology();
    topology.addSource("in", new ByteArrayDeserializer(), new ByteArrayDeserializer(), "raw");
    SparkplugProcessor.Settings settings = new SparkplugProcessor.Settings("line", schema,
        "line.sparkplug", Duration.ofSeconds(30), 1 << 20);
    topology.addProcessor("decode", SparkplugProcessor.supplier(settings,
        new SparkplugProcessor.Children("out", "dlq", "cmd"), registry, clock), "in");
    topology.addSink("out", "out", new StringSerializer(), (t, v) -> AvroSerdes.inferenceResult()
        .serializer().serialize(t, ((PipelineRecord) v).getResult()), "decode");
    topology.addSink("dlq", "dlq", new StringSerializer(), (t, v) -> AvroSerdes.deadLetter()
        .serializer().serialize(t, (DeadLetter) v), "decode");
    topology.addSink("cmd", "cmd", new StringSerializer(),
        (t, v) -> (byte[]) v, "decode");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "sparkplug-test");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver = new TopologyTestDriver(topology, props);
    in = driver.createInputTopic("raw", new ByteArraySerializer(), new ByteArraySerializer());
    out = driver.createOutputTopic("out", new StringDeserializer(),
        AvroSerdes.inferenceResult().deserializer());
    dlq = driver.createOutputTopic("dlq", new StringDeserializer(),
        AvroSerdes.deadLetter().deserializer());
    commands = driver.createOutputTopic("cmd", new StringDeserializer(),
        new ByteArrayDeserializer());
  }

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
  }

  @Test
  void aliasesFromTheBirthsNameTheMetricsOfDataThatCarriesOnlyAliases() throws Exception {
    start(EventSchema.SENSOR_READING);
    publish(NODE, nodeBirth(0));
    publish("spBv1.0/plant/DBIRTH/edge1/press4", payload(
        metric("Temperature", 10, MetricDataType.Double, 71.5, "degC"),
        metric("Running", 11, MetricDataType.Boolean, true, null),
        metric("Offset", 12, MetricDataType.Int8, (byte) -23, null),
        metric("Cycles", 13, MetricDataType.UInt32, 3_293_969_225L, null),
        metric("Energy", 14, MetricDataType.UInt64, new BigInteger("16444743074749521625"),
            "Wh"),
        metric("Pressure", 15, MetricDataType.Float, 1.25f, "bar")));
    out.readRecordsToList();
    publish("spBv1.0/plant/DDATA/edge1/press4", aliasesOnly(payload(
        metric(null, 10, MetricDataType.Double, 72.25, null),
        metric(null, 15, MetricDataType.Float, 1.5f, null),
        metric(null, 12, MetricDataType.Int8, (byte) -5, null))));

    List<InferenceResult> readings = out.readValuesToList();
    assertThat(readings).extracting(InferenceResult::getMetric)
        .containsExactly("Temperature", "Pressure", "Offset");
    assertThat(readings).extracting(InferenceResult::getValue)
        .containsExactly(72.25, 1.5, -5.0);
    assertThat(readings).allSatisfy(r -> {
      assertThat(r.getDeviceId()).isEqualTo("plant/edge1/press4");
      assertThat(r.getKind()).isEqualTo(RecordKind.SENSOR);
      assertThat(r.getTimestamp()).isEqualTo(Instant.ofEpochMilli(T0 + 5));
    });
    assertThat(readings.get(0).getAttributes()).containsEntry("unit", "degC")
        .doesNotContainKey("sparkplug.stale");
    assertThat(dlq.isEmpty()).isTrue();
    assertThat(commands.isEmpty()).isTrue();
  }

  @Test
  void birthsAreValuesTooAndUnsignedTypesKeepTheirRange() throws Exception {
    start(EventSchema.SENSOR_READING);
    publish(NODE, nodeBirth(0));
    publish("spBv1.0/plant/DBIRTH/edge1/press4", payload(
        metric("Cycles", 13, MetricDataType.UInt32, 3_293_969_225L, null),
        metric("Energy", 14, MetricDataType.UInt64, new BigInteger("16444743074749521625"),
            null),
        metric("Small", 16, MetricDataType.UInt8, (short) 250, null)));
    Map<String, Double> values = out.readValuesToList().stream()
        .filter(r -> r.getDeviceId().endsWith("press4"))
        .collect(Collectors.toMap(InferenceResult::getMetric, InferenceResult::getValue));
    assertThat(values).containsEntry("Cycles", 3_293_969_225.0).containsEntry("Small", 250.0);
    assertThat(values.get("Energy")).isEqualTo(1.6444743074749521625e19);
  }

  @Test
  void aSequenceGapMarksTheNodeStaleAndRequestsOneRebirth() throws Exception {
    start(EventSchema.SENSOR_READING);
    publish(NODE, nodeBirth(0));
    publish("spBv1.0/plant/NDATA/edge1", aliasesOnly(payload(
        metric(null, 1, MetricDataType.Double, 1.0, null))));
    assertThat(commands.isEmpty()).isTrue();
    seq += 3; // three messages lost
    publish("spBv1.0/plant/NDATA/edge1", aliasesOnly(payload(
        metric(null, 1, MetricDataType.Double, 2.0, null))));
    publish("spBv1.0/plant/NDATA/edge1", aliasesOnly(payload(
        metric(null, 1, MetricDataType.Double, 3.0, null))));
    seq += 1;
    publish("spBv1.0/plant/NDATA/edge1", aliasesOnly(payload(
        metric(null, 1, MetricDataType.Double, 4.0, null))));

    List<TestRecord<String, byte[]>> sent = commands.readRecordsToList();
    assertThat(sent).hasSize(1);
    assertThat(new String(sent.get(0).headers().lastHeader(RecordHeaders.MQTT_TARGET).value(),
        StandardCharsets.UTF_8)).isEqualTo("spBv1.0/plant/NCMD/edge1");
    SparkplugBProto.Payload command = SparkplugBProto.Payload.parseFrom(sent.get(0).value());
    assertThat(command.getMetrics(0).getName()).isEqualTo("Node Control/Rebirth");
    assertThat(command.getMetrics(0).getBooleanValue()).isTrue();
    assertThat(command.hasSeq()).isFalse();
    assertThat(counter("sluice.sparkplug.sequence.gaps")).isEqualTo(2);
    assertThat(gauge("sluice.sparkplug.stale.nodes")).isEqualTo(1);
    // the values are still real measurements, flagged as coming from a stale node
    List<InferenceResult> readings = out.readValuesToList();
    assertThat(readings.get(readings.size() - 1).getAttributes())
        .containsEntry("sparkplug.stale", "true");

    clock.advance(Duration.ofSeconds(31));
    seq += 1;
    publish("spBv1.0/plant/NDATA/edge1", aliasesOnly(payload(
        metric(null, 1, MetricDataType.Double, 5.0, null))));
    assertThat(commands.readRecordsToList()).hasSize(1);

    seq = 0;
    publish(NODE, nodeBirth(0));
    assertThat(gauge("sluice.sparkplug.stale.nodes")).isZero();
  }

  @Test
  void badPayloadsGoToTheDeadLetterTopicAndTheStreamGoesOn() throws Exception {
    start(EventSchema.SENSOR_READING);
    publish(NODE, nodeBirth(0));
    byte[] garbage = {(byte) 0xFF, (byte) 0xFF, 0x01, 0x02};
    in.pipeInput(record("spBv1.0/plant/NDATA/edge1", garbage));
    publish("spBv1.0/plant/NDATA/edge1", aliasesOnly(payload(
        metric(null, 99, MetricDataType.Double, 1.0, null))));
    // a Double metric that carries a string: built with the protobuf classes, as Tahu refuses
    SparkplugBProto.Payload wrong = SparkplugBProto.Payload.newBuilder().setTimestamp(T0)
        .setSeq(++seq).addMetrics(SparkplugBProto.Payload.Metric.newBuilder().setAlias(1)
            .setStringValue("hot")).build();
    in.pipeInput(record("spBv1.0/plant/NDATA/edge1", wrong.toByteArray()));
    in.pipeInput(record("plant/edge1/notes", payload()));
    publish("spBv1.0/plant/NDATA/edge1", aliasesOnly(payload(
        metric(null, 1, MetricDataType.Double, 7.0, null))));

    List<DeadLetter> dead = dlq.readValuesToList();
    assertThat(dead).hasSize(4);
    assertThat(dead.get(0).getErrorType()).isEqualTo(DeadLetterType.MALFORMED);
    assertThat(dead.get(0).getReason()).contains("not a Sparkplug B payload");
    assertThat(dead.get(0).getRaw().array()).isEqualTo(garbage);
    assertThat(dead.get(1).getReason()).contains("alias 99").contains("rebirth requested");
    assertThat(dead.get(2).getErrorType()).isEqualTo(DeadLetterType.WRONG_TYPE);
    assertThat(dead.get(2).getReason()).contains("Double").contains("double_value")
        .contains("string_value");
    assertThat(dead.get(3).getReason()).contains("not a Sparkplug B topic");
    assertThat(out.readValuesToList()).extracting(InferenceResult::getValue).contains(7.0);
    assertThat(commands.readRecordsToList()).hasSize(1); // the unknown alias asked once
  }

  @Test
  void dataFromANodeWithNoBirthAsksForOneAndKeepsTheBytes() throws Exception {
    start(EventSchema.SENSOR_READING);
    seq = 41;
    publish("spBv1.0/plant/NDATA/edge1", aliasesOnly(payload(
        metric(null, 1, MetricDataType.Double, 1.0, null))));
    assertThat(commands.readRecordsToList()).hasSize(1);
    assertThat(dlq.readValuesToList()).singleElement()
        .satisfies(d -> assertThat(d.getReason()).contains("none seen from plant/edge1"));
    assertThat(gauge("sluice.sparkplug.stale.nodes")).isEqualTo(1);
  }

  @Test
  void dataSetsTemplatesAndArraysAreFlattenedByTheNamingRule() throws Exception {
    start(EventSchema.SENSOR_READING);
    publish(NODE, nodeBirth(0));
    DataSet table = new DataSet.DataSetBuilder(2)
        .addColumnName("temp").addColumnName("ok")
        .addType(DataSetDataType.Double).addType(DataSetDataType.Boolean)
        .addRow(new Row.RowBuilder().addValue(new Value<>(DataSetDataType.Double, 20.5))
            .addValue(new Value<>(DataSetDataType.Boolean, true)).createRow())
        .addRow(new Row.RowBuilder().addValue(new Value<>(DataSetDataType.Double, 21.5))
            .addValue(new Value<>(DataSetDataType.Boolean, false)).createRow())
        .createDataSet();
    Template motor = new Template.TemplateBuilder().templateRef("Motor").definition(false)
        .addMetric(new Metric.MetricBuilder("Speed", MetricDataType.Int32, 1450).createMetric())
        .addMetric(new Metric.MetricBuilder("Amps", MetricDataType.Float, 3.5f).createMetric())
        .createTemplate();
    publish("spBv1.0/plant/DBIRTH/edge1/line", payload(
        metric("Zones", 20, MetricDataType.DataSet, table, null),
        metric("Motor1", 21, MetricDataType.Template, motor, null),
        metric("Vib", 22, MetricDataType.Int16Array, new Short[] {-30000, 30000}, null),
        metric("Doors", 23, MetricDataType.BooleanArray,
            new Boolean[] {false, false, true, true, false, true, false, false, true}, null),
        metric("Serial", 24, MetricDataType.String, "A-17", null)));

    Map<String, Double> values = out.readValuesToList().stream()
        .filter(r -> r.getDeviceId().equals("plant/edge1/line"))
        .collect(Collectors.toMap(InferenceResult::getMetric, InferenceResult::getValue));
    assertThat(values).containsOnly(
        Map.entry("Zones[0]/temp", 20.5), Map.entry("Zones[0]/ok", 1.0),
        Map.entry("Zones[1]/temp", 21.5), Map.entry("Zones[1]/ok", 0.0),
        Map.entry("Motor1/Speed", 1450.0), Map.entry("Motor1/Amps", 3.5),
        Map.entry("Vib[0]", -30000.0), Map.entry("Vib[1]", 30000.0),
        Map.entry("Doors[0]", 0.0), Map.entry("Doors[1]", 0.0), Map.entry("Doors[2]", 1.0),
        Map.entry("Doors[3]", 1.0), Map.entry("Doors[4]", 0.0), Map.entry("Doors[5]", 1.0),
        Map.entry("Doors[6]", 0.0), Map.entry("Doors[7]", 0.0), Map.entry("Doors[8]", 1.0));
    assertThat(counter("sluice.sparkplug.metrics.skipped")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void deathsMarkTheNodeStaleOnlyForTheirOwnSession() throws Exception {
    start(EventSchema.SENSOR_READING);
    publish(NODE, nodeBirth(3));
    in.pipeInput(record("spBv1.0/plant/NDEATH/edge1", death(2)));
    assertThat(gauge("sluice.sparkplug.stale.nodes")).isZero();
    in.pipeInput(record("spBv1.0/plant/NDEATH/edge1", death(3)));
    assertThat(gauge("sluice.sparkplug.stale.nodes")).isEqualTo(1);
    assertThat(counter("sluice.sparkplug.deaths")).isEqualTo(1);
  }

  @Test
  void aTextSourceTakesStringMetricsAsTexts() throws Exception {
    start(EventSchema.TEXT_EVENT);
    publish(NODE, nodeBirth(0));
    publish("spBv1.0/plant/DBIRTH/edge1/press4", payload(
        metric("Alarm", 30, MetricDataType.String, "hydraulic pressure low", null),
        metric("Temperature", 10, MetricDataType.Double, 71.5, null)));
    publish("spBv1.0/plant/DDATA/edge1/press4", aliasesOnly(payload(
        metric(null, 30, MetricDataType.String, "oil leak at the seal", null))));
    List<InferenceResult> texts = out.readValuesToList();
    assertThat(texts).extracting(InferenceResult::getText)
        .containsExactly("hydraulic pressure low", "oil leak at the seal");
    assertThat(texts).allSatisfy(t -> assertThat(t.getKind()).isEqualTo(RecordKind.TEXT));
  }

  @Test
  void theSessionIsKeptInTheLoggedStoreSoARestartResumesIt() throws Exception {
    start(EventSchema.SENSOR_READING);
    publish(NODE, nodeBirth(7));
    publish("spBv1.0/plant/NDATA/edge1", aliasesOnly(payload(
        metric(null, 1, MetricDataType.Double, 9.5, null))));
    var store = driver.<String, byte[]>getKeyValueStore("line.sparkplug");
    NodeSession restored = NodeSession.restore(store.get("b:plant/edge1"),
        store.get("s:plant/edge1"));
    assertThat(restored.born()).isTrue();
    assertThat(restored.bdSeq()).isEqualTo(7);
    assertThat(restored.alias(1).name()).isEqualTo("Uptime");
    assertThat(restored.alias(1).unit()).isEqualTo("s");
    assertThat(restored.lastSeq()).isEqualTo(1);
    assertThat(restored.stale()).isFalse();
  }

  // --- an edge node, built with Tahu ---

  private SparkplugBPayload nodeBirth(long bdSeq) throws Exception {
    seq = 0;
    SparkplugBPayload p = new SparkplugBPayload.SparkplugBPayloadBuilder().setSeq(0L)
        .setTimestamp(new Date(T0)).createPayload();
    p.addMetric(new Metric.MetricBuilder("bdSeq", MetricDataType.Int64, bdSeq).createMetric());
    p.addMetric(new Metric.MetricBuilder("Node Control/Rebirth", MetricDataType.Boolean, false)
        .createMetric());
    p.addMetric(metric("Uptime", 1, MetricDataType.Double, 0.0, "s"));
    return p;
  }

  private static byte[] death(long bdSeq) throws Exception {
    SparkplugBPayload p = new SparkplugBPayload.SparkplugBPayloadBuilder()
        .setTimestamp(new Date(T0)).createPayload();
    p.addMetric(new Metric.MetricBuilder("bdSeq", MetricDataType.Int64, bdSeq).createMetric());
    return new SparkplugBPayloadEncoder().getBytes(p, false);
  }

  private SparkplugBPayload payload(Metric... metrics) {
    SparkplugBPayload p = new SparkplugBPayload.SparkplugBPayloadBuilder()
        .setTimestamp(new Date(T0)).createPayload();
    for (Metric m : metrics) {
      p.addMetric(m);
    }
    return p;
  }

  private static Metric metric(String name, long alias, MetricDataType type, Object value,
      String unit) throws Exception {
    Metric.MetricBuilder b = new Metric.MetricBuilder(name, type, value).alias(alias)
        .timestamp(new Date(T0 + 5));
    if (unit != null) {
      b.properties(new PropertySet.PropertySetBuilder()
          .addProperty("engUnit", new PropertyValue<>(PropertyDataType.String, unit))
          .createPropertySet());
    }
    return b.createMetric();
  }

  /** DATA as edge nodes send it: metrics by alias only, without names. */
  private static SparkplugBPayload aliasesOnly(SparkplugBPayload p) {
    for (Metric m : p.getMetrics()) {
      m.setName(null);
    }
    return p;
  }

  private void publish(String topic, SparkplugBPayload p) throws Exception {
    if (!topic.contains("NBIRTH")) {
      p.setSeq(++seq & 0xFF);
    } else {
      p.setSeq(0L);
    }
    in.pipeInput(record(topic, new SparkplugBPayloadEncoder().getBytes(p,
        topic.contains("DATA"))));
  }

  private TestRecord<byte[], byte[]> record(String topic, SparkplugBPayload p) throws Exception {
    return record(topic, new SparkplugBPayloadEncoder().getBytes(p, false));
  }

  private TestRecord<byte[], byte[]> record(String topic, byte[] value) {
    TestRecord<byte[], byte[]> r = new TestRecord<>("plant/edge1".getBytes(StandardCharsets.UTF_8),
        value, Instant.ofEpochMilli(clock.millis()));
    r.headers().add(new RecordHeader(RecordHeaders.MQTT_TOPIC,
        topic.getBytes(StandardCharsets.UTF_8)));
    return r;
  }

  private double counter(String name) {
    return registry.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  private static final class MutableClock extends Clock {
    private long now;

    MutableClock(long now) {
      this.now = now;
    }

    void advance(Duration d) {
      now += d.toMillis();
    }

    @Override
    public long millis() {
      return now;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(now);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
