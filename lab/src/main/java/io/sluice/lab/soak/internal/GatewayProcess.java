package io.sluice.lab.soak.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One gateway as a separate operating-system process: {@code java ... io.sluice.runtime.cli.GatewayMain
 * <topology> --data-dir <dir> --admin-port <port>}, with this JVM's class path, its brokers named
 * in environment variables, and its output appended to a log file. A new process started on the
 * same data folder is the same gateway restarted: same Kafka Streams state, same MQTT client id
 * (so the broker resumes its session), same consumer groups.
 */
public final class GatewayProcess implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final int adminPort;
  private final Path log;

  private GatewayProcess(Process process, int adminPort, Path log) {
    this.process = process;
    this.adminPort = adminPort;
    this.log = log;
  }

  /**
   * Starts a gateway process.
   *
   * @param topology the gateway topology file
   * @param dataDir its data folder (Kafka Streams state)
   * @param adminPort the port of its admin server, where {@code /health} answers
   * @param environment variables the topology reads (brokers, client id)
   * @param jvmOptions extra JVM options, e.g. a heap limit
   * @param log file the process's output is appended to
   */
  public static GatewayProcess start(Path topology, Path dataDir, int adminPort,
      Map<String, String> environment, List<String> jvmOptions, Path log) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.sluice.schemas");
    Optional.ofNullable(System.getProperty("sluice.shared.dir"))
        .ifPresent(dir -> command.add("-Dsluice.shared.dir=" + dir));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        "io.sluice.runtime.cli.GatewayMain", topology.toString(), "--data-dir", dataDir.toString(),
        "--admin-port", Integer.toString(adminPort)));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(environment);
    try {
      return new GatewayProcess(builder.start(), adminPort, log);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the gateway process " + command, e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** The exit code, or -1 while it runs. */
  public int exitCode() {
    return process.isAlive() ? -1 : process.exitValue();
  }

  /**
   * The gateway's {@code /health} status: {@code UP}, {@code DEGRADED} (up, but the cloud link
   * or the egress is down), {@code DOWN}, or {@code UNREACHABLE} while its admin server does not
   * answer (starting, or dead).
   */
  public String health() {
    HttpRequest request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + adminPort + "/health"))
        .timeout(Duration.ofSeconds(2)).GET().build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode body = JSON.readTree(response.body());
      return body.path("status").asText("DOWN");
    } catch (IOException e) {
      return "UNREACHABLE";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "UNREACHABLE";
    }
  }

  /** Whether the gateway's critical components (streams, MQTT ingress) are up. */
  public boolean up() {
    String status = health();
    return status.equals("UP") || status.equals("DEGRADED");
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed or committed. Waits until it is gone. */
  public void kill() {
    process.destroyForcibly();
    waitFor(Duration.ofSeconds(30));
  }

  /** SIGTERM: the gateway shuts down gracefully; killed if it takes longer than the timeout. */
  public void stop(Duration timeout) {
    process.destroy();
    if (!waitFor(timeout)) {
      kill();
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      stop(Duration.ofSeconds(60));
    }
  }

  private boolean waitFor(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
