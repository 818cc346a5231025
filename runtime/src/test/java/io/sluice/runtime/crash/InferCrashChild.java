package io.sluice.runtime.crash;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.schemas.AvroTrust;
import io.sluice.topology.TopologyBuilder;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.testing.KeywordTextModels;
import io.sluice.topology.spec.TopologySpec;
import java.time.Clock;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * A gateway topology with a batched infer operator, or with a batched generate step over a decoder
 * folder, run in its own JVM so a test can SIGKILL it while records wait in the operator's buffer.
 * Arguments: bootstrap servers, state folder, maxWait, and optionally a decoder folder (then the
 * namespace is {@code crashgen}).
 */
public final class InferCrashChild {

  static final String TOPOLOGY = """
      apiVersion: sluice/v1
      kind: Gateway
      metadata: {name: crash, namespace: crash}
      brokers: {kafka: {bootstrap: "127.0.0.1:1"}}
      models: {enc: {bundle: "classpath:all-minilm-l6-v2-q"}}
      sources:
        - {name: notes, mqtt: {topic: "p/+/notes"}, schema: TextEvent}
      pipelines:
        - name: triage
          from: notes
          steps:
            - classify: {model: enc, labels: {x: [x]}}
          inference: {maxBatch: 1000, maxTokens: 1000000, maxWait: %s}
      """;

  static final String GENERATE_TOPOLOGY = """
      apiVersion: sluice/v1
      kind: Gateway
      metadata: {name: crashgen, namespace: crashgen}
      brokers: {kafka: {bootstrap: "127.0.0.1:1"}}
      models: {decoder: {bundle: "%s", threads: 1}}
      sources:
        - {name: notes, mqtt: {topic: "p/+/notes"}, schema: TextEvent}
      pipelines:
        - name: triage
          from: notes
          steps:
            - generate:
                model: decoder
                prompt: {id: echo, version: "1", template: "{{text}}"}
                maxNewTokens: 4
          inference: {maxBatch: 1000, maxTokens: 1000000, maxWait: %s}
      """;

  private InferCrashChild() {}

  public static void main(String[] args) throws Exception {
    AvroTrust.install();
    String bootstrap = args[0];
    String stateDir = args[1];
    String maxWait = args[2];
    boolean generate = args.length > 3;
    TopologySpec spec = new TopologyLoader(name -> null).parse(generate
        ? GENERATE_TOPOLOGY.formatted(args[3], maxWait) : TOPOLOGY.formatted(maxWait),
        "crash.yaml");
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, spec.metadata().namespace() + "-gateway");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 1024 * 1024);
    KafkaStreams streams = new KafkaStreams(new TopologyBuilder(new SimpleMeterRegistry(),
        Clock.systemUTC(), KeywordTextModels.factory(), io.sluice.topology.EntityModels.none(),
        new io.sluice.topology.testing.OpenDecoders(
            io.sluice.inference.generate.EngineSettings.defaults()), null,
        io.sluice.topology.step.StepKinds.builtIn()).build(spec), p);
    CountDownLatch running = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING) {
        running.countDown();
      }
    });
    streams.start();
    running.await();
    System.out.println("RUNNING");
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
