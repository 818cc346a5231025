package io.sluice.lab.bench;

import static io.sluice.runtime.resolve.ResolverTraffic.forwarded;
import static io.sluice.runtime.resolve.ResolverTraffic.producer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.connectors.embedded.EmbeddedKafka;
import io.sluice.runtime.RuntimeOptions;
import io.sluice.runtime.TopologyRuntime;
import io.sluice.runtime.resolve.ScriptedOpenAiServer;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.ForwardedRecord;
import io.sluice.schemas.InferenceResult;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.TopologySpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The bench behind {@code sluice bench cloud}: how many verdicts per second the cloud tier gives
 * against a resolver of a set latency, by {@code maxConcurrency} and by the number of instances
 * sharing the partitions on one Kafka broker.
 *
 * <p>Each configuration gets its own namespace on one embedded broker and one scripted
 * OpenAI-compatible server (every reply after {@code latency}, always a label). Its instances are
 * started and healthy before the first record is produced; the clock runs from the first record
 * produced to the last verdict read (read committed). Duplicated verdicts are counted, not
 * hidden.
 */
public final class CloudBench {

  /**
   * One configuration's result.
   *
   * @param duplicates verdicts read more than once for the same event
   */
  public record Result(int instances, int concurrency, int records, double seconds,
      double verdictsPerSecond, int duplicates, int reviewed) {}

  private static final String TOPOLOGY = """
      apiVersion: sluice/v1
      kind: Cloud
      metadata: {name: bench-cloud, namespace: %s}
      brokers:
        kafka: {bootstrap: "%s", partitions: %d, commitInterval: 100ms}
      models:
        llm: {kind: openai, baseUrl: "%s", model: scripted, maxConcurrency: %d, timeout: 60s}
      resolve:
        from: %s.forward
        classify:
          model: llm
          labels:
            electrical: {description: electrical faults, examples: [breaker tripped]}
            hydraulic: {description: leaks and pumps, examples: [hose leaking]}
      """;

  private final Duration latency;
  private final int partitions;
  private final Consumer<String> progress;

  public CloudBench(Duration latency, int partitions, Consumer<String> progress) {
    this.latency = latency;
    this.partitions = partitions;
    this.progress = progress;
  }

  /** Runs every configuration in turn and returns their results in the same order. */
  public List<Result> run(List<Integer> instanceCounts, List<Integer> concurrencies,
      double targetSeconds, int maxRecords) throws Exception {
    List<Result> results = new ArrayList<>();
    Path work = Files.createTempDirectory("sluice-bench-cloud-");
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        ScriptedOpenAiServer server = ScriptedOpenAiServer.start(
            new ScriptedOpenAiServer.Settings(latency.toMillis(), latency.toMillis(), 0,
                n -> ScriptedOpenAiServer.Fault.NONE,
                text -> text.contains("leak") ? "hydraulic" : "electrical"))) {
      int run = 0;
      for (int instances : instanceCounts) {
        for (int concurrency : concurrencies) {
          double perSecond = instances * concurrency * 1000.0 / Math.max(1, latency.toMillis());
          int records = (int) Math.max(20, Math.min(maxRecords, perSecond * targetSeconds));
          String namespace = "bench" + (run++);
          results.add(one(kafka, server, work.resolve(namespace), namespace, instances,
              concurrency, records));
          Result r = results.get(results.size() - 1);
          progress.accept(String.format(java.util.Locale.ROOT, "%d instance%s, maxConcurrency"
              + " %d: %d verdicts in %.1f s = %.1f/s (ideal %.1f/s), %d duplicates",
              instances, instances == 1 ? "" : "s", concurrency, r.records(), r.seconds(),
              r.verdictsPerSecond(), perSecond, r.duplicates()));
        }
      }
    }
    return results;
  }

  private Result one(EmbeddedKafka kafka, ScriptedOpenAiServer server, Path dir,
      String namespace, int instances, int concurrency, int records) throws Exception {
    TopologySpec spec = new TopologyLoader(name -> null).parse(TOPOLOGY.formatted(namespace,
        kafka.bootstrapServers(), partitions, server.baseUrl(), concurrency, namespace),
        "bench-cloud.yaml");
    List<TopologyRuntime> running = new ArrayList<>();
    try {
      for (int i = 0; i < instances; i++) {
        running.add(TopologyRuntime.start(spec, new RuntimeOptions(dir.resolve("i" + i), 0, 0,
            null), new SimpleMeterRegistry(), Clock.systemUTC()));
      }
      awaitRunning(running);
      try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka, spec)) {
        long start = System.nanoTime();
        try (KafkaProducer<String, ForwardedRecord> producer = producer(kafka.bootstrapServers())) {
          for (int i = 0; i < records; i++) {
            String id = namespace + "-" + i;
            producer.send(new ProducerRecord<>(namespace + ".forward", id,
                forwarded(id, (i % 2 == 0 ? "hose leaking " : "breaker tripped ") + i)));
          }
        }
        Set<String> seen = new HashSet<>();
        int duplicates = 0;
        int reviewed = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (seen.size() < records && System.nanoTime() < deadline) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            InferenceResult result = AvroSerdes.inferenceResult().deserializer()
                .deserialize(r.topic(), r.value());
            if (!seen.add(result.getEventId())) {
              duplicates++;
            }
            if (r.topic().equals(spec.topics().review())) {
              reviewed++;
            }
          }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(instances, concurrency, seen.size(), seconds, seen.size() / seconds,
            duplicates, reviewed);
      }
    } finally {
      for (TopologyRuntime r : running) {
        r.close();
      }
    }
  }

  private static void awaitRunning(List<TopologyRuntime> running) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (!running.stream().allMatch(r -> r.health().up())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("The cloud instances were not running within 2 minutes");
      }
      Thread.sleep(100); // polling the instances' state, not timing anything
    }
  }

  private static KafkaConsumer<byte[], byte[]> consumer(EmbeddedKafka kafka, TopologySpec spec) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, spec.metadata().namespace() + "-bench-reader");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    consumer.subscribe(List.of(spec.topics().verdicts(), spec.topics().review()));
    return consumer;
  }


}
