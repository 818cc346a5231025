package io.sluice.lab.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.runtime.RuntimeOptions;
import io.sluice.runtime.TopologyRuntime;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.RecordHeaders;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.TopologySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.tahu.protobuf.SparkplugBProto.DataType;
import org.eclipse.tahu.protobuf.SparkplugBProto.Payload;
import org.eclipse.tahu.protobuf.SparkplugBProto.Payload.Metric;

/**
 * The bench behind {@code sluice bench sources}: readings per second that a gateway decodes into
 * its results topic, for JSON sensor readings and for Sparkplug B DDATA, side by side.
 *
 * <p>Each run starts a gateway (embedded brokers, one source, no steps, every record routed
 * local) and waits for it to be healthy. Then a Kafka producer writes the source's input topic as
 * the MQTT ingress would (same key, same headers), far faster than the stream reads it; the clock
 * runs from the first record written to the last reading read committed from the results topic.
 * The MQTT ingress is left out on purpose: both formats go through the same one (its rate is
 * measured on its own), so what differs is the decoding. Sparkplug edge nodes are born first
 * (NBIRTH, then a DBIRTH declaring aliases), and DATA carries aliases only, in sequence, as
 * Sparkplug 3.0 edge nodes send it. A run whose readings do not all arrive, or that sends
 * anything to the dead-letter topic, is reported as such.
 */
public final class SourcesBench {

  /** A format to measure: JSON, or Sparkplug with this many metrics per DDATA. */
  public record Variant(String name, boolean sparkplug, int metricsPerMessage) {
    public static Variant json() {
      return new Variant("json", false, 1);
    }

    public static Variant sparkplug(int metrics) {
      return new Variant("sparkplug-" + metrics, true, metrics);
    }
  }

  /**
   * One run.
   *
   * @param readings readings expected in the results topic (Sparkplug: births' values included)
   * @param arrived distinct readings that arrived
   * @param deadLetters records on the dead-letter topic (0 when all is well)
   */
  public record Result(Variant variant, int repeat, int messages, int readings, int arrived,
      int deadLetters, double seconds) {
    public double readingsPerSecond() {
      return arrived / seconds;
    }

    public boolean complete() {
      return arrived == readings && deadLetters == 0;
    }
  }

  private static final String TOPOLOGY = """
      apiVersion: sluice/v1
      kind: Gateway
      metadata: {name: bench-sources, namespace: %s}
      brokers:
        mqtt: {url: embedded}
        kafka: {bootstrap: embedded, partitions: %d, commitInterval: 100ms}
      sources:
        - name: line
          mqtt: {topic: "%s"}
          format: %s
          schema: SensorReading
      pipelines:
        - {name: pass, from: line, route: [{to: local}]}
      """;

  private final int devices;
  private final int partitions;
  private final Consumer<String> progress;

  /**
   * @param devices JSON devices, or Sparkplug edge nodes (one device each)
   */
  public SourcesBench(int devices, int partitions, Consumer<String> progress) {
    this.devices = devices;
    this.partitions = partitions;
    this.progress = progress;
  }

  /**
   * Runs every variant once to warm up, then {@code repeats} times, about {@code readings} each,
   * interleaved and in a rotating order (so that no variant always runs first).
   */
  public List<Result> run(List<Variant> variants, int readings, int repeats) throws Exception {
    List<Result> results = new ArrayList<>();
    Path work = Files.createTempDirectory("sluice-bench-sources-");
    // one short run of each first, not counted: the JVM compiles the decoders' hot paths
    for (Variant v : variants) {
      Result r = one(work.resolve(v.name() + "-warmup"), v, 0, Math.max(1, readings / 4));
      progress.accept(String.format(Locale.ROOT, "%s, warm-up: %.0f readings/s (not counted)",
          v.name(), r.readingsPerSecond()));
    }
    for (int repeat = 1; repeat <= repeats; repeat++) {
      for (int k = 0; k < variants.size(); k++) {
        Variant v = variants.get((k + repeat - 1) % variants.size());
        Result r = one(work.resolve(v.name() + "-" + repeat), v, repeat, readings);
        results.add(r);
        progress.accept(String.format(Locale.ROOT, "%s, run %d: %d of %d readings (%d MQTT"
            + " messages) in %.2f s = %.0f readings/s%s", v.name(), repeat, r.arrived(),
            r.readings(), r.messages(), r.seconds(), r.readingsPerSecond(),
            r.complete() ? "" : ", INCOMPLETE (" + r.deadLetters() + " dead letters)"));
      }
    }
    return results;
  }

  private Result one(Path dir, Variant v, int repeat, int target) throws Exception {
    String namespace = "bench" + v.name().replace("-", "") + "r" + repeat;
    TopologySpec spec = new TopologyLoader(name -> null).parse(TOPOLOGY.formatted(namespace,
        partitions, v.sparkplug() ? "spBv1.0/bench/#" : "bench/+/data",
        v.sparkplug() ? "sparkplug" : "json"), "bench-sources.yaml");
    try (TopologyRuntime runtime = TopologyRuntime.start(spec, new RuntimeOptions(dir, 0, 0,
        null), new SimpleMeterRegistry(), Clock.systemUTC())) {
      awaitHealthy(runtime);
      String input = spec.topics().input("line");
      int messagesPerDevice = Math.max(1, target / devices / v.metricsPerMessage());
      try (KafkaConsumer<byte[], byte[]> consumer = consumer(runtime.kafkaBootstrap(), spec);
          KafkaProducer<byte[], byte[]> producer = producer(runtime.kafkaBootstrap())) {
        long start = System.nanoTime();
        int messages = 0;
        int readings = 0;
        long t0 = System.currentTimeMillis();
        if (v.sparkplug()) {
          for (int d = 0; d < devices; d++) {
            send(producer, input, "bench/edge" + d, "spBv1.0/bench/NBIRTH/edge" + d,
                nbirth(t0));
            send(producer, input, "bench/edge" + d, "spBv1.0/bench/DBIRTH/edge" + d + "/dev",
                dbirth(v.metricsPerMessage(), t0));
            messages += 2;
            readings += 1 + v.metricsPerMessage(); // NBIRTH's bdSeq is a reading too
          }
        }
        for (int i = 0; i < messagesPerDevice; i++) {
          long at = t0 + i;
          for (int d = 0; d < devices; d++) {
            if (v.sparkplug()) {
              send(producer, input, "bench/edge" + d, "spBv1.0/bench/DDATA/edge" + d + "/dev",
                  ddata(v.metricsPerMessage(), (i + 2) & 0xFF, at, i));
              readings += v.metricsPerMessage();
            } else {
              String device = "press-" + d;
              send(producer, input, device, "bench/" + device + "/data", json(device, at, i));
              readings++;
            }
            messages++;
          }
        }
        producer.flush();
        Set<String> seen = new HashSet<>();
        int dead = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        long last = start;
        while (seen.size() < readings && System.nanoTime() < deadline) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            if (r.topic().equals(spec.topics().deadLetters())) {
              dead++;
              continue;
            }
            InferenceResult result = AvroSerdes.inferenceResult().deserializer()
                .deserialize(r.topic(), r.value());
            seen.add(result.getEventId());
            last = System.nanoTime();
          }
        }
        return new Result(v, repeat, messages, readings, seen.size(), dead,
            (last - start) / 1e9);
      }
    }
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String key,
      String mqttTopic, byte[] payload) {
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic,
        key.getBytes(StandardCharsets.UTF_8), payload);
    RecordHeaders.stampIngested(record.headers(), mqttTopic, System.currentTimeMillis(), "line",
        key);
    producer.send(record);
  }

  private static byte[] json(String device, long at, int i) {
    return ("{\"deviceId\":\"" + device + "\",\"metric\":\"temperature\",\"value\":"
        + (60.0 + (i % 50) * 0.1) + ",\"unit\":\"degC\",\"timestamp\":" + at + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  static byte[] nbirth(long at) {
    return Payload.newBuilder().setTimestamp(at).setSeq(0)
        .addMetrics(Metric.newBuilder().setName("bdSeq").setTimestamp(at)
            .setDatatype(DataType.Int64_VALUE).setLongValue(0))
        .build().toByteArray();
  }

  static byte[] dbirth(int metrics, long at) {
    Payload.Builder p = Payload.newBuilder().setTimestamp(at).setSeq(1);
    for (int m = 0; m < metrics; m++) {
      p.addMetrics(Metric.newBuilder().setName("sensor" + m + "/temperature").setAlias(m + 1)
          .setTimestamp(at).setDatatype(DataType.Double_VALUE).setDoubleValue(60.0)
          .setProperties(org.eclipse.tahu.protobuf.SparkplugBProto.Payload.PropertySet
              .newBuilder().addKeys("engUnit").addValues(
                  org.eclipse.tahu.protobuf.SparkplugBProto.Payload.PropertyValue.newBuilder()
                      .setType(DataType.String_VALUE).setStringValue("degC"))));
    }
    return p.build().toByteArray();
  }

  /** DATA as edge nodes send it: aliases only, no names or datatypes. */
  static byte[] ddata(int metrics, int seq, long at, int i) {
    Payload.Builder p = Payload.newBuilder().setTimestamp(at).setSeq(seq);
    for (int m = 0; m < metrics; m++) {
      p.addMetrics(Metric.newBuilder().setAlias(m + 1).setTimestamp(at)
          .setDoubleValue(60.0 + ((i + m) % 50) * 0.1));
    }
    return p.build().toByteArray();
  }

  private static void awaitHealthy(TopologyRuntime runtime) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (!runtime.health().up()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("The bench gateway was not healthy within 2 minutes: "
            + runtime.health());
      }
      Thread.sleep(100); // polling the gateway's state, not timing anything
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, TopologySpec spec) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, spec.metadata().namespace() + "-bench-reader");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    consumer.subscribe(List.of(spec.topics().results(), spec.topics().deadLetters()));
    return consumer;
  }
}
