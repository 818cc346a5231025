package io.sluice.runtime;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.runtime.admin.AdminSettings;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.TopologySpec;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * The entry point for running a topology inside your own Java service:
 *
 * <pre>{@code
 * try (Gateway gateway = Sluice.load(Path.of("gateway.yaml")).start()) {
 *   gateway.awaitUp(Duration.ofMinutes(1));
 *   ... // the gateway runs on its own threads until closed
 * }
 * }</pre>
 *
 * <p>{@link #load} reads and validates the file (a {@link io.sluice.topology.TopologyException}
 * lists every mistake with file, line and column); the {@code with...} methods return a copy with
 * one setting changed; {@link #start} starts brokers (where the file says {@code embedded}),
 * topics, models, the streams application and, when asked for, the admin server. Nothing is
 * started before {@code start()}. Instances are immutable.
 */
public final class Sluice {

  private final TopologySpec spec;
  private final Path baseDir;
  private final Path dataDir;
  private final Optional<AdminSettings> admin;
  private final PrometheusMeterRegistry registry;
  private final Clock clock;

  private Sluice(TopologySpec spec, Path baseDir, Path dataDir, Optional<AdminSettings> admin,
      PrometheusMeterRegistry registry, Clock clock) {
    this.spec = spec;
    this.baseDir = baseDir;
    this.dataDir = dataDir;
    this.admin = admin;
    this.registry = registry;
    this.clock = clock;
  }

  /** Reads and validates a topology file; its environment variables come from this process. */
  public static Sluice load(Path file) {
    TopologySpec spec = new TopologyLoader().load(file);
    return of(spec, file.toAbsolutePath().getParent());
  }

  /**
   * A topology already loaded (for example with {@link TopologyLoader#parse}).
   *
   * @param baseDir the folder its relative paths (model bundles) are resolved against; null when
   *     it has none
   */
  public static Sluice of(TopologySpec spec, Path baseDir) {
    Objects.requireNonNull(spec, "spec");
    return new Sluice(spec, baseDir, Path.of(".sluice", spec.metadata().name()),
        Optional.empty(), null, Clock.systemUTC());
  }

  /** The validated topology. */
  public TopologySpec spec() {
    return spec;
  }

  /** Folder for Kafka Streams state and embedded brokers' data. Default: .sluice/NAME. */
  public Sluice withDataDir(Path dir) {
    return new Sluice(spec, baseDir, Objects.requireNonNull(dir, "dir"), admin, registry, clock);
  }

  /**
   * Serves the admin API and dashboard ({@code /health}, {@code /metrics}, models, rollout,
   * inference) with these settings. Default: no admin server; the service embedding the gateway
   * reads {@link Gateway#health()} and {@link Gateway#meterRegistry()} itself.
   */
  public Sluice withAdmin(AdminSettings settings) {
    return new Sluice(spec, baseDir, dataDir, Optional.of(settings), registry, clock);
  }

  /** Registers the gateway's meters here instead of in a registry of its own. */
  public Sluice withMeterRegistry(PrometheusMeterRegistry meterRegistry) {
    return new Sluice(spec, baseDir, dataDir, admin,
        Objects.requireNonNull(meterRegistry, "meterRegistry"), clock);
  }

  /** The clock for timestamps and timeouts. Default: the system clock in UTC. */
  public Sluice withClock(Clock newClock) {
    return new Sluice(spec, baseDir, dataDir, admin, registry,
        Objects.requireNonNull(newClock, "clock"));
  }

  /**
   * Starts the gateway (or cloud) and returns once its parts are started; {@link
   * Gateway#awaitUp} waits until they are connected and running.
   *
   * @throws IllegalStateException when a part cannot start (a model bundle refused, a broker
   *     unreachable); what had started is stopped again
   */
  public Gateway start() {
    PrometheusMeterRegistry meters =
        registry != null ? registry : Metrics.registry(spec.metadata().name());
    return Gateway.start(spec, new RuntimeOptions(dataDir, 0, 0, baseDir), admin, meters, clock);
  }
}
