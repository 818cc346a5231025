package io.sluice.topology.testing;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.DeadLetter;
import io.sluice.schemas.Feedback;
import io.sluice.schemas.ForwardedRecord;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.RecordHeaders;
import io.sluice.schemas.SensorWindowSummary;
import io.sluice.topology.Decoders;
import io.sluice.topology.EntityModels;
import io.sluice.topology.TextModels;
import io.sluice.topology.TopologyBuilder;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.TopologySpec;
import io.sluice.topology.step.StepKinds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Runs a YAML topology without a broker, for tests of topology files: pipe payloads into a
 * source as if they arrived over MQTT, advance wall-clock time (which flushes batches that waited
 * long enough), and read what each route produced. Built on Kafka Streams' TopologyTestDriver;
 * exactly-once semantics are those of the test driver (every record is committed at once).
 *
 * <pre>{@code
 * try (PipelineTestDriver driver = PipelineTestDriver.load(Path.of("gateway.yaml"), models)) {
 *   driver.pipe("notes", "press-1", "{\"text\":\"breaker tripped\"}");
 *   driver.advanceWallClockTime(Duration.ofMillis(100));
 *   assertThat(driver.results()).hasSize(1);
 * }
 * }</pre>
 */
public final class PipelineTestDriver implements AutoCloseable {

  private final TopologySpec spec;
  private final TopologyTestDriver driver;
  private final MeterRegistry registry;
  private final Path stateDir;
  private Instant now;

  private PipelineTestDriver(TopologySpec spec, TextModels models, EntityModels entityModels,
      Path baseDir, Instant start, MeterRegistry registry, StepKinds kinds) {
    this(spec, models, entityModels, Decoders.none(), baseDir, start, registry, kinds);
  }

  private PipelineTestDriver(TopologySpec spec, TextModels models, EntityModels entityModels,
      Decoders decoders, Path baseDir, Instant start, MeterRegistry registry, StepKinds kinds) {
    this.spec = spec;
    this.registry = registry;
    this.now = start;
    try {
      this.stateDir = Files.createTempDirectory("sluice-test-driver-");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "test-" + spec.metadata().name());
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    Clock clock = Clock.fixed(start, java.time.ZoneOffset.UTC);
    this.driver = new TopologyTestDriver(
        new TopologyBuilder(registry, clock, models, entityModels, decoders, baseDir, kinds)
            .build(spec),
        props,
        start);
  }

  /** Loads a topology file; relative paths in it resolve against its folder. */
  public static PipelineTestDriver load(Path file, TextModels models) {
    return load(file, models, EntityModels.none());
  }

  /** Loads a topology file whose extract steps may name entity models. */
  public static PipelineTestDriver load(Path file, TextModels models,
      EntityModels entityModels) {
    TopologySpec spec = new TopologyLoader().load(file);
    return new PipelineTestDriver(spec, models, entityModels, file.toAbsolutePath().getParent(),
        Instant.parse("2026-01-01T00:00:00Z"), new SimpleMeterRegistry(), StepKinds.builtIn());
  }

  /**
   * Parses a topology given as text whose generate steps run on {@code decoders}; model folders
   * resolve against {@code baseDir}.
   */
  public static PipelineTestDriver of(String yaml, TextModels models, Decoders decoders,
      Path baseDir) {
    TopologySpec spec = new TopologyLoader(name -> null).parse(yaml, "test.yaml");
    return new PipelineTestDriver(spec, models, EntityModels.none(), decoders, baseDir,
        Instant.parse("2026-01-01T00:00:00Z"), new SimpleMeterRegistry(), StepKinds.builtIn());
  }

  /** Parses a topology given as text (no relative paths). */
  public static PipelineTestDriver of(String yaml, TextModels models) {
    return of(yaml, models, EntityModels.none());
  }

  /** Parses a topology given as text whose extract steps may name entity models. */
  public static PipelineTestDriver of(String yaml, TextModels models,
      EntityModels entityModels) {
    return of(yaml, models, entityModels, StepKinds.builtIn());
  }

  /** Parses a topology given as text whose pipelines may use step kinds of their own. */
  public static PipelineTestDriver of(String yaml, TextModels models, EntityModels entityModels,
      StepKinds kinds) {
    TopologySpec spec = new TopologyLoader(name -> null, kinds).parse(yaml, "test.yaml");
    return new PipelineTestDriver(spec, models, entityModels, null,
        Instant.parse("2026-01-01T00:00:00Z"), new SimpleMeterRegistry(), kinds);
  }

  public TopologySpec spec() {
    return spec;
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Pipes one payload into a source, as the MQTT ingress would write it. */
  public void pipe(String source, String deviceId, String payload) {
    pipe(source, deviceId, payload.getBytes(StandardCharsets.UTF_8));
  }

  public void pipe(String source, String deviceId, byte[] payload) {
    TestInputTopic<byte[], byte[]> in = driver.createInputTopic(spec.topics().input(source),
        new ByteArraySerializer(), new ByteArraySerializer());
    TestRecord<byte[], byte[]> record = new TestRecord<>(
        deviceId.getBytes(StandardCharsets.UTF_8), payload, null, now);
    RecordHeaders.stampIngested(record.headers(), null, now.toEpochMilli(), source, deviceId);
    in.pipeInput(record);
  }

  /** Pipes a forwarded record into a cloud topology's input. */
  public void pipeForwarded(ForwardedRecord record) {
    driver.createInputTopic(spec.resolve().orElseThrow().from(), new StringSerializer(),
            AvroSerdes.forwardedRecord().serializer())
        .pipeInput(record.getEventId(), record, now);
  }

  /** Moves wall-clock time (and the record timestamps of later pipes) forward. */
  public void advanceWallClockTime(Duration duration) {
    now = now.plus(duration);
    driver.advanceWallClockTime(duration);
  }

  public List<InferenceResult> results() {
    return read(spec.topics().results(), AvroSerdes.inferenceResult().deserializer());
  }

  public List<InferenceResult> review() {
    return read(spec.topics().review(), AvroSerdes.inferenceResult().deserializer());
  }

  public List<ForwardedRecord> forwarded() {
    return read(spec.topics().forward(), AvroSerdes.forwardedRecord().deserializer());
  }

  public List<DeadLetter> deadLetters() {
    return read(spec.topics().deadLetters(), AvroSerdes.deadLetter().deserializer());
  }

  public List<SensorWindowSummary> summaries() {
    return read(spec.topics().summaries(), AvroSerdes.sensorWindowSummary().deserializer());
  }

  public List<InferenceResult> verdicts() {
    return read(spec.topics().verdicts(), AvroSerdes.inferenceResult().deserializer());
  }

  public List<Feedback> feedback() {
    return read(spec.resolve().orElseThrow().feedbackTopic(),
        AvroSerdes.feedback().deserializer());
  }

  /** Alerts: the MQTT topic each goes to, and its JSON payload. */
  public List<Alert> alerts() {
    TestOutputTopic<String, byte[]> topic = driver.createOutputTopic(spec.topics().alerts(),
        new StringDeserializer(), new ByteArrayDeserializer());
    List<Alert> out = new ArrayList<>();
    for (TestRecord<String, byte[]> r : topic.readRecordsToList()) {
      String target = new String(r.headers().lastHeader(RecordHeaders.MQTT_TARGET).value(),
          StandardCharsets.UTF_8);
      out.add(new Alert(target, new String(r.value(), StandardCharsets.UTF_8)));
    }
    return out;
  }

  /** An alert on its way to MQTT. */
  public record Alert(String mqttTopic, String json) {}

  private <T> List<T> read(String topic, Deserializer<T> deserializer) {
    return driver.createOutputTopic(topic, new StringDeserializer(), deserializer)
        .readValuesToList();
  }

  /** The underlying driver, for stores and anything not covered here. */
  public TopologyTestDriver driver() {
    return driver;
  }

  @Override
  public void close() {
    driver.close();
    try (var paths = Files.walk(stateDir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException ignored) {
      // temporary folder
    }
  }
}
