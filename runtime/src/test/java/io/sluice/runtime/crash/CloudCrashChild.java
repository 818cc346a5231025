package io.sluice.runtime.crash;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.runtime.RuntimeOptions;
import io.sluice.runtime.TopologyRuntime;
import io.sluice.schemas.AvroTrust;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.TopologySpec;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/**
 * One cloud instance resolving with an {@code openai} model, in its own JVM so a test can SIGKILL
 * it with calls in flight. Arguments: bootstrap servers, data folder, the resolver's base URL.
 * Prints RUNNING once its streams run.
 */
public final class CloudCrashChild {

  static final String TOPOLOGY = """
      apiVersion: sluice/v1
      kind: Cloud
      metadata: {name: scale, namespace: scale}
      brokers:
        kafka: {bootstrap: "%s", partitions: 4, commitInterval: 100ms}
      models:
        llm: {kind: openai, baseUrl: "%s", model: scripted, maxConcurrency: 4, timeout: 30s}
      resolve:
        from: scale.forward
        classify:
          model: llm
          labels:
            electrical: {description: electrical faults, examples: [breaker tripped]}
            hydraulic: {description: leaks and pumps, examples: [hose leaking]}
      """;

  private CloudCrashChild() {}

  public static void main(String[] args) throws Exception {
    AvroTrust.install();
    TopologySpec spec = new TopologyLoader(name -> null).parse(TOPOLOGY.formatted(args[0],
        args[2]), "scale.yaml");
    TopologyRuntime runtime = TopologyRuntime.start(spec, new RuntimeOptions(Path.of(args[1]),
        0, 0, null), new SimpleMeterRegistry(), Clock.systemUTC());
    while (!runtime.health().up()) {
      Thread.sleep(50); // polling the streams' state
    }
    System.out.println("RUNNING");
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
