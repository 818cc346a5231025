package io.sluice.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime 1.29 needs nearly 1 MB of stack to create its environment and killed the JVM with
 * SIGSEGV when the creating thread had less (a long command line, or {@code -Xss512k}). A child
 * JVM with a 512 KB default stack must now start ONNX Runtime and exit normally; in this JVM the
 * environment may already exist, so only a fresh process can show the failure.
 */
class OnnxEnvironmentStackTest {

  /** Entry point of the child JVM. */
  public static void main(String[] args) {
    System.out.println("environment " + (OnnxSession.environment() != null));
  }

  @Test
  void startsOnASmallDefaultStack() throws IOException, InterruptedException {
    Process child = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xss512k", "-cp", System.getProperty("java.class.path"),
        OnnxEnvironmentStackTest.class.getName())
        .redirectErrorStream(true)
        .start();
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.exitValue()).as(output).isZero();
    assertThat(output).contains("environment true");
  }
}
