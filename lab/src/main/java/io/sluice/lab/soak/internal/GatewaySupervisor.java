package io.sluice.lab.soak.internal;

import io.sluice.connectors.embedded.FreePorts;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one gateway running as a supervisor (systemd, Kubernetes) would: starts its process,
 * kills and restarts it on demand, restarts it when it exits on its own (and counts that as a
 * failure), and measures how long each new process takes to report UP. Every process of the
 * gateway shares one data folder and one admin port, and logs to its own file
 * ({@code gateway-<n>.log}).
 */
public final class GatewaySupervisor {

  private static final Logger log = LoggerFactory.getLogger(GatewaySupervisor.class);

  private final Path topology;
  private final Path dir;
  private final Map<String, String> env;
  private final List<String> jvmOptions;
  private final Clock clock;
  private final int adminPort = FreePorts.next();
  private final List<Path> logs = new ArrayList<>();
  private final List<Double> restartToUp = new CopyOnWriteArrayList<>();
  private volatile GatewayProcess current;
  private volatile long startedAt = -1;
  private volatile int exits;

  /**
   * @param dir the run's folder: the gateway's data goes to {@code dir/gateway}, its logs beside
   * @param env environment variables the topology reads (its brokers)
   */
  public GatewaySupervisor(Path topology, Path dir, Map<String, String> env,
      List<String> jvmOptions, Clock clock) {
    this.topology = topology;
    this.dir = dir;
    this.env = Map.copyOf(env);
    this.jvmOptions = List.copyOf(jvmOptions);
    this.clock = clock;
  }

  /** Starts a new gateway process (the first, or after the previous one died). */
  public synchronized void start() {
    Path logFile = dir.resolve("gateway-" + (logs.size() + 1) + ".log");
    logs.add(logFile);
    startedAt = clock.millis();
    current = GatewayProcess.start(topology, dir.resolve("gateway"), adminPort, env, jvmOptions,
        logFile);
  }

  /** SIGKILL, then a new process at once. */
  public synchronized void killAndRestart() {
    current.kill();
    start();
  }

  /**
   * A gateway that exited on its own (nobody killed it) has failed: counted, and started again.
   * Call it about once a second.
   */
  public synchronized void restartIfExited() {
    if (!current.alive()) {
      exits++;
      log.error("The gateway process exited on its own (exit code {}); see {}. Starting it"
          + " again", current.exitCode(), current.log());
      start();
    }
  }

  /** After a restart, notes when the new process first reports UP. Call it about once a second. */
  public void checkRecovered() {
    long since = startedAt;
    if (since >= 0 && logs.size() > 1 && current.up()) {
      restartToUp.add(Math.round((clock.millis() - since) / 100.0) / 10.0);
      startedAt = -1;
    }
  }

  /** Waits until the current process reports UP; fails if it exits or the timeout passes. */
  public void awaitUp(Duration timeout) throws InterruptedException {
    long deadline = clock.millis() + timeout.toMillis();
    while (!current.up()) {
      if (!current.alive()) {
        throw new IllegalStateException("The gateway process exited at start; see "
            + current.log());
      }
      if (clock.millis() > deadline) {
        throw new IllegalStateException("The gateway was not up within " + timeout + "; see "
            + current.log());
      }
      Thread.sleep(250);
    }
    startedAt = -1;
  }

  /** The current process. */
  public GatewayProcess current() {
    return current;
  }

  /** Seconds from each restart to UP, in order; a restart not yet UP is left out. */
  public List<Double> restartToUp() {
    return List.copyOf(restartToUp);
  }

  /** Times the gateway exited without being killed. */
  public int exits() {
    return exits;
  }

  /** The log file of each process, in order. */
  public synchronized List<Path> logs() {
    return List.copyOf(logs);
  }

  /** Stops the current process gracefully (SIGTERM; SIGKILL after 60 s). */
  public synchronized void stop() {
    if (current != null) {
      current.stop(Duration.ofSeconds(60));
    }
  }
}
