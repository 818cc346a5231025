package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice run} is what runs in production, so it must not drag the lab (harnesses, charts,
 * JMH, the langchain4j baseline) into the gateway's JVM. A real {@code sluice run} of the demo
 * topology, in a child JVM that logs every class it loads, until its streams run; then SIGTERM.
 */
class RunLoadsNoLabClassIT {

  @TempDir Path work;

  @Test
  void aRunningGatewayHasLoadedNoLabClass() throws Exception {
    Path classLog = work.resolve("classes.log");
    Path output = work.resolve("out.log");
    String classPath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    Process gateway = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xlog:class+load=info:file=" + classLog,
        "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.sluice.schemas",
        "-cp", classPath, "io.sluice.app.Sluice", "run",
        Reactor.root().resolve("edge-configs/demo.yaml").toString(),
        "--admin-port", "0", "--data-dir", work.resolve("data").toString()))
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    try {
      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
          .until(() -> !gateway.isAlive() || Files.readString(output, StandardCharsets.UTF_8)
              .contains("-> RUNNING"));
      assertThat(gateway.isAlive()).as(Files.readString(output)).isTrue();
    } finally {
      gateway.destroy();
      assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
    }
    List<String> loaded = Files.readAllLines(classLog, StandardCharsets.UTF_8);
    assertThat(loaded).anyMatch(line -> line.contains("io.sluice.runtime.TopologyRuntime "));
    assertThat(loaded).noneMatch(line -> line.contains(" io.sluice.lab."));
  }
}
