package io.sluice.connectors.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Mosquitto broker (the Debian package's {@code /usr/sbin/mosquitto}) run as a child process
 * on a loopback port, with its configuration, persistence and log in a folder of ours, never the
 * system service. For interoperability tests and fault drills.
 *
 * <p>It is configured the way a production broker must be for "nothing lost":
 * {@code persistence true} (sessions and queued QoS 1 messages are saved on a graceful stop and
 * survive a restart) and {@code max_queued_messages 0} (no cap: by default Mosquitto drops QoS 1
 * messages past 1,000 queued for a client). A SIGKILL loses what arrived since the last autosave.
 */
public final class MosquittoBroker implements LocalMqttBroker {

  private static final Logger log = LoggerFactory.getLogger(MosquittoBroker.class);
  private static final List<Path> CANDIDATES =
      List.of(Path.of("/usr/sbin/mosquitto"), Path.of("/usr/local/sbin/mosquitto"),
          Path.of("/usr/bin/mosquitto"), Path.of("/opt/homebrew/sbin/mosquitto"));
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  private final Path binary;
  private final Path dir;
  private final Path config;
  private final int port;
  private volatile Process process;
  private volatile boolean closed;

  private MosquittoBroker(Path binary, Path dir, Path config, int port) {
    this.binary = binary;
    this.dir = dir;
    this.config = config;
    this.port = port;
  }

  /** The Mosquitto executable, if installed ({@code apt-get install -y mosquitto}). */
  public static Optional<Path> binary() {
    return CANDIDATES.stream().filter(Files::isExecutable).findFirst();
  }

  /** A persistent, anonymous broker on {@code port} (0: a free one), its files in {@code dir}. */
  public static MosquittoBroker start(Path dir, int port) {
    return start(dir, port, List.of());
  }

  /**
   * Starts Mosquitto.
   *
   * @param dir folder for the configuration, persistence and log (created)
   * @param port loopback port of the first listener; 0 for a free one
   * @param extraConfig lines appended to the configuration, for example a TLS listener or
   *     {@code password_file}; anonymous access is allowed unless they set
   *     {@code allow_anonymous}
   */
  public static MosquittoBroker start(Path dir, int port, List<String> extraConfig) {
    Path exe = binary().orElseThrow(() -> new IllegalStateException(
        "Mosquitto is not installed (looked for " + CANDIDATES + "); install it with"
            + " 'apt-get install -y mosquitto'"));
    int boundPort = port == 0 ? FreePorts.next() : port;
    try {
      Files.createDirectories(dir.resolve("data"));
      List<String> lines = new ArrayList<>(List.of(
          "# Written by Sluice's MosquittoBroker",
          "persistence true",
          "persistence_location " + dir.resolve("data").toAbsolutePath() + "/",
          "max_queued_messages 0",
          "log_dest file " + dir.resolve("mosquitto.log").toAbsolutePath(),
          "log_type error",
          "log_type warning",
          "log_type notice",
          "log_type information",
          "connection_messages true",
          // Started as root, Mosquitto would switch to user 'mosquitto', who cannot write here.
          "user " + System.getProperty("user.name")));
      if (extraConfig.stream().noneMatch(l -> l.trim().startsWith("allow_anonymous"))) {
        lines.add("allow_anonymous true");
      }
      lines.add("listener " + boundPort + " 127.0.0.1");
      lines.addAll(extraConfig);
      Path conf = dir.resolve("mosquitto.conf");
      Files.write(conf, lines, StandardCharsets.UTF_8);
      MosquittoBroker broker = new MosquittoBroker(exe, dir, conf, boundPort);
      broker.launch();
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the Mosquitto configuration in " + dir, e);
    }
  }

  @Override
  public int port() {
    return port;
  }

  public Path dir() {
    return dir;
  }

  @Override
  public String description() {
    return "Mosquitto (" + binary + ") with persistence true and max_queued_messages 0"
        + " (sessions and QoS 1 messages survive restarts)";
  }

  /** Stops Mosquitto with SIGTERM (it saves its persistence) and starts it again. */
  @Override
  public synchronized void restart() {
    if (closed) {
      throw new IllegalStateException("Mosquitto at " + url() + " is closed");
    }
    stop();
    launch();
  }

  /** Kills Mosquitto with SIGKILL (no save) and starts it again, as after a power cut. */
  public synchronized void killAndRestart() {
    if (closed) {
      throw new IllegalStateException("Mosquitto at " + url() + " is closed");
    }
    Process p = process;
    p.destroyForcibly();
    waitFor(p, Duration.ofSeconds(10));
    launch();
  }

  /** The broker's log so far, for test failure messages. */
  public String log() {
    try {
      return Files.readString(dir.resolve("mosquitto.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop();
    log.info("Mosquitto at {} stopped", url());
  }

  private void launch() {
    try {
      process = new ProcessBuilder(binary.toString(), "-c", config.toString())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + binary, e);
    }
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!accepts()) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Mosquitto exited with " + process.exitValue()
            + " at start (config " + config + "): " + tail());
      }
      if (System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IllegalStateException("Mosquitto did not accept connections on port " + port
            + " within " + START_TIMEOUT + ": " + tail());
      }
      waitFor(process, Duration.ofMillis(50));
    }
    log.info("Mosquitto ready at {} (pid {}, files in {})", url(), process.pid(), dir);
  }

  private void stop() {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    p.destroy();
    if (!waitFor(p, Duration.ofSeconds(15))) {
      log.warn("Mosquitto at {} did not stop on SIGTERM; killing it", url());
      p.destroyForcibly();
      waitFor(p, Duration.ofSeconds(5));
    }
  }

  private boolean accepts() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean waitFor(Process p, Duration timeout) {
    try {
      return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private String tail() {
    StringBuilder out = new StringBuilder();
    for (String file : List.of("stdout.log", "mosquitto.log")) {
      Path f = dir.resolve(file);
      if (Files.exists(f)) {
        try (Stream<String> lines = Files.lines(f, StandardCharsets.UTF_8)) {
          List<String> all = lines.toList();
          all.subList(Math.max(0, all.size() - 10), all.size())
              .forEach(l -> out.append(l).append(" | "));
        } catch (IOException | UncheckedIOException e) {
          out.append("(cannot read ").append(f).append(") ");
        }
      }
    }
    return out.toString();
  }
}
