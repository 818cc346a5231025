package io.sluice.lab.soak;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.lab.fleet.DemoTexts;
import io.sluice.lab.soak.internal.Accounting;
import io.sluice.lab.soak.internal.GatewaySupervisor;
import io.sluice.lab.soak.internal.OutputLedger;
import io.sluice.lab.soak.internal.SoakBrokers;
import io.sluice.lab.soak.internal.SoakChart;
import io.sluice.lab.soak.internal.SoakEvents;
import io.sluice.lab.soak.internal.SoakPublisher;
import io.sluice.lab.soak.internal.Timeline;
import io.sluice.runtime.RuntimeOptions;
import io.sluice.runtime.TopologyRuntime;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.Source;
import io.sluice.topology.spec.Topics;
import io.sluice.topology.spec.TopologySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fault drill for the whole gateway: runs the gateway as a separate process against brokers
 * this process owns, publishes numbered events from simulated devices, injects faults on a fixed
 * plan, and then accounts for every event the broker acknowledged.
 *
 * <p><b>Who runs where.</b> This process owns the MQTT broker (Mosquitto as a child process, or
 * Artemis in-process with its journal on), the gateway's Kafka and the cloud's Kafka (embedded,
 * with their data in the run's folder), the cloud tier ({@code edge-configs/cloud.yaml}: de-dupe,
 * a stronger model, verdicts and feedback), the devices and the ledger that reads every output.
 * The gateway is {@code java ... io.sluice.runtime.cli.GatewayMain <topology> --data-dir DIR} in a child
 * process, so that a kill is a real SIGKILL of a real gateway: no shutdown hook, nothing flushed.
 *
 * <p><b>Faults</b> ({@link FaultPlan}) run on one thread per kind, so a slow one (a Kafka broker
 * stopping) neither delays the others nor the sampling. A kill is followed at once by a new
 * process on the same data folder, as a supervisor (systemd, Kubernetes) would do.
 *
 * <p><b>The end.</b> When the devices stop, the faults still running finish, the cloud is up
 * again, and the run drains: it waits until every published event is accounted for (or the drain
 * timeout passes), then settles the books ({@link Accounting}) from what the ledger read.
 */
public final class Soak {

  /** The bundled gateway topology the soak runs unless told otherwise. */
  public static final String BUNDLED_GATEWAY = "soak-gateway.yaml";
  /** The bundled cloud topology. */
  public static final String BUNDLED_CLOUD = "cloud.yaml";

  private static final Logger log = LoggerFactory.getLogger(Soak.class);
  private static final String ID_PREFIX = "soak-";
  private static final Duration GATEWAY_START_TIMEOUT = Duration.ofMinutes(3);
  private static final List<String> GATEWAY_JVM = List.of("-Xmx1g", "-XX:+UseSerialGC");

  private final SoakSettings settings;
  private final Clock clock;
  private final PrintStream progress;

  /**
   * @param progress where progress lines go (stderr for the command line)
   */
  public Soak(SoakSettings settings, Clock clock, PrintStream progress) {
    this.settings = settings;
    this.clock = clock;
    this.progress = progress;
  }

  /**
   * Runs the soak.
   *
   * @param chart where to write the PNG chart; null for none
   */
  public SoakReport run(Path chart) throws Exception {
    Path dir = settings.workDir();
    Files.createDirectories(dir);
    Path gatewayFile = gatewayTopology(dir);
    say("Soak: work folder " + dir);
    try (SoakBrokers brokers = SoakBrokers.start(dir, settings.broker())) {
      Map<String, String> env = new HashMap<>(Map.of(
          "MQTT_URL", brokers.mqtt().url(),
          "KAFKA_BOOTSTRAP", brokers.gatewayBootstrap(),
          "CLOUD_KAFKA_BOOTSTRAP", brokers.cloudBootstrap()));
      Function<String, String> lookup = name -> env.containsKey(name) ? env.get(name)
          : System.getenv(name);
      TopologySpec gatewaySpec = new TopologyLoader(lookup).load(gatewayFile);
      TopologySpec cloudSpec = new TopologyLoader(lookup)
          .parse(bundled(BUNDLED_CLOUD), "edge-configs/" + BUNDLED_CLOUD);
      checkPair(gatewaySpec, cloudSpec);
      say("Brokers: MQTT " + brokers.mqtt().description() + " at " + brokers.mqtt().url()
          + "; gateway Kafka " + brokers.gatewayBootstrap() + "; cloud Kafka "
          + brokers.cloudBootstrap());
      say("Starting the cloud tier (" + BUNDLED_CLOUD + ")...");
      try (TopologyRuntime cloud = TopologyRuntime.start(cloudSpec,
          new RuntimeOptions(dir.resolve("cloud-state"), 0, 0, null), new SimpleMeterRegistry(),
          clock)) {
        say("Cloud tier up (Kafka Streams " + cloud.streamsState() + ")");
        return drill(brokers, gatewaySpec, cloudSpec, gatewayFile, env, chart);
      }
    }
  }

  private SoakReport drill(SoakBrokers brokers, TopologySpec gatewaySpec, TopologySpec cloudSpec,
      Path gatewayFile, Map<String, String> env, Path chart) throws Exception {
    GatewaySupervisor gateway = new GatewaySupervisor(gatewayFile, settings.workDir(), env,
        GATEWAY_JVM, clock);
    say("Starting the gateway process...");
    gateway.start();
    try {
      gateway.awaitUp(GATEWAY_START_TIMEOUT);
      say("Gateway up (pid " + gateway.current().pid() + ", log " + gateway.current().log()
          + ")");
      SoakEvents events = new SoakEvents(ID_PREFIX, DemoTexts.load().texts(),
          settings.devices(), settings.badInputShare(), settings.restrictedShare(),
          gatewaySpec.limits().maxPayloadBytes(), new SplittableRandom(settings.seed()), clock);
      try (OutputLedger ledger = new OutputLedger(brokers.gatewayBootstrap(),
              brokers.cloudBootstrap(), ledgerTopics(gatewaySpec, cloudSpec), ID_PREFIX);
          SoakPublisher devices = new SoakPublisher(brokers.mqtt().url(),
              "sluice-soak-devices", events::next, settings.ratePerSecond(), 16, clock)) {
        Drill drill = new Drill(brokers, gateway, ledger, devices, FaultPlan.of(settings));
        try {
          return drill.run(chart);
        } finally {
          drill.stopFaults();
        }
      }
    } finally {
      say("Stopping the gateway...");
      gateway.stop();
    }
  }

  private Path gatewayTopology(Path dir) throws IOException {
    if (settings.gatewayTopology() != null) {
      return settings.gatewayTopology().toAbsolutePath();
    }
    Path file = dir.resolve(BUNDLED_GATEWAY);
    Files.writeString(file, bundled(BUNDLED_GATEWAY), StandardCharsets.UTF_8);
    return file;
  }

  static String bundled(String name) {
    String resource = "/edge-configs/" + name;
    try (InputStream in = Soak.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("The bundled topology " + resource + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void checkPair(TopologySpec gateway, TopologySpec cloud) {
    if (gateway.kind() != TopologySpec.Kind.GATEWAY) {
      throw new IllegalArgumentException(gateway.file() + " is not a Gateway topology");
    }
    if (gateway.cloud().isEmpty()) {
      throw new IllegalArgumentException(gateway.file() + " has no cloud section; the soak"
          + " needs one: cloud: {bootstrap: \"${CLOUD_KAFKA_BOOTSTRAP}\"}");
    }
    String from = cloud.resolve().orElseThrow().from();
    if (!gateway.topics().forward().equals(from)) {
      throw new IllegalArgumentException("The gateway forwards to " + gateway.topics().forward()
          + " but the cloud tier resolves " + from + "; use namespace "
          + from.substring(0, from.lastIndexOf('.')));
    }
  }

  private static OutputLedger.Topics ledgerTopics(TopologySpec gateway, TopologySpec cloud) {
    Topics g = gateway.topics();
    Topics c = cloud.topics();
    String from = cloud.resolve().orElseThrow().from();
    return new OutputLedger.Topics(
        gateway.sources().stream().map(Source::name).map(g::input).toList(),
        List.of(g.results(), g.review(), g.alerts()), g.alerts(), g.forward(),
        List.of(g.summaries()), g.deadLetters(), from, c.verdicts(),
        List.of(Topics.namespaceOf(from).summaries(),
            cloud.resolve().orElseThrow().feedbackTopic()));
  }

  private static String describe(FaultPlan plan) {
    if (plan.faults().isEmpty()) {
      return "none";
    }
    List<String> parts = new ArrayList<>();
    plan.faults().forEach(f -> parts.add(f.kind().name().toLowerCase().replace('_', ' ')
        + " at " + f.at().toSeconds() + " s"));
    return String.join(", ", parts);
  }

  private void say(String line) {
    progress.println(line);
    progress.flush();
  }

  private static ExecutorService faultThread(String name) {
    return Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "sluice-soak-fault-" + name);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * One run from the first publish to the report: injects the planned faults on their threads,
   * samples the counts once a second, prints progress every 5 s, then drains and settles.
   */
  private final class Drill {
    private final SoakBrokers brokers;
    private final GatewaySupervisor gateway;
    private final OutputLedger ledger;
    private final SoakPublisher devices;
    private final FaultPlan plan;
    private final Timeline timeline = new Timeline();
    private final AtomicInteger kills = new AtomicInteger();
    private final AtomicInteger mqttRestarts = new AtomicInteger();
    private final AtomicLong cutStarted = new AtomicLong(-1);
    private final AtomicLong cutMillis = new AtomicLong();
    private final ExecutorService gatewayFaults = faultThread("gateway");
    private final ExecutorService mqttFaults = faultThread("mqtt");
    private final ExecutorService cloudFaults = faultThread("cloud");
    private long start;
    private long nextSample;
    private long nextLine;
    private int nextFault;

    Drill(SoakBrokers brokers, GatewaySupervisor gateway, OutputLedger ledger,
        SoakPublisher devices, FaultPlan plan) {
      this.brokers = brokers;
      this.gateway = gateway;
      this.ledger = ledger;
      this.devices = devices;
      this.plan = plan;
    }

    SoakReport run(Path chart) throws Exception {
      devices.start();
      start = clock.millis();
      nextSample = start;
      nextLine = start + 5_000;
      say(String.format("Publishing %.0f events/s for %d s; faults: %s",
          settings.ratePerSecond(), settings.duration().toSeconds(), describe(plan)));
      long end = start + settings.duration().toMillis();
      while (clock.millis() < end) {
        injectDueFaults(clock.millis());
        tick(clock.millis());
        Thread.sleep(100);
      }
      devices.stopIssuing();
      double publishSeconds = (clock.millis() - start) / 1000.0;
      say(String.format("[%4.0fs] devices stopped; finishing faults, then draining",
          publishSeconds));
      finishFaults();
      long drainStart = clock.millis();
      Accounting.Books books = drain(drainStart + settings.drainTimeout().toMillis());
      double drainSeconds = (clock.millis() - drainStart) / 1000.0;
      if (chart != null) {
        SoakChart.write(timeline, String.format("Soak: %.0f events/s for %d s, %d kills, %d MQTT"
                + " restarts, cloud link cut %d s; lost %d, duplicates %d",
            settings.ratePerSecond(), settings.duration().toSeconds(), kills.get(),
            mqttRestarts.get(), cutMillis.get() / 1000, books.lost(), books.duplicates()),
            chart);
      }
      if (!books.mismatchSample().isEmpty()) {
        log.warn("Processing mismatches (input copies vs output copies): {}",
            books.mismatchSample());
      }
      if (ledger.canaryLeaks() > 0) {
        log.error("Restricted canaries found on {}", ledger.leakTopics());
      }
      return new SoakReport(books.published(), books.delivered(), books.lost(),
          books.backlog(), books.duplicates(), books.deadLettered(), kills.get(), mqttRestarts.get(),
          brokers.mqtt().description(), books.publishedValid(), books.publishedBad(),
          books.restricted(), devices.unconfirmed(), devices.resends(), books.ingressCopies(),
          books.gatewayDuplicates(), books.forwarded(), books.linkRepeats(),
          books.processingMismatches(), books.misrouted(), ledger.canaryLeaks(),
          books.lostByKind(), books.lostSample(), ledger.deadLetterTypes(), gateway.exits(),
          gateway.restartToUp(), Math.round(cutMillis.get() / 1000.0), publishSeconds,
          drainSeconds, chart, gateway.logs());
    }

    /** Hands every fault that is due to its thread. */
    private void injectDueFaults(long now) {
      while (nextFault < plan.faults().size()
          && start + plan.faults().get(nextFault).at().toMillis() <= now) {
        FaultPlan.Fault f = plan.faults().get(nextFault++);
        double at = (now - start) / 1000.0;
        timeline.mark(new Timeline.Mark(at, f.kind()));
        switch (f.kind()) {
          case KILL_GATEWAY -> gatewayFaults.execute(() -> {
            gateway.killAndRestart();
            kills.incrementAndGet();
          });
          case RESTART_MQTT -> mqttFaults.execute(() -> {
            brokers.restartMqtt();
            mqttRestarts.incrementAndGet();
          });
          case CUT_CLOUD_LINK -> cloudFaults.execute(() -> {
            cutStarted.set(clock.millis());
            brokers.cutCloud();
          });
          case RESTORE_CLOUD_LINK -> cloudFaults.execute(() -> {
            brokers.restoreCloud();
            cutMillis.addAndGet(clock.millis() - cutStarted.get());
          });
          default -> throw new IllegalStateException("Unknown fault " + f);
        }
        say(String.format("[%4.0fs] fault: %s", at, f.kind()));
      }
    }

    /** Once a second: a sample, and the gateway looked after; every 5 s: a progress line. */
    private void tick(long now) {
      if (now >= nextSample) {
        timeline.sample(new Timeline.Sample((now - start) / 1000.0, devices.published(),
            ledger.delivered(), ledger.forwardedRecords(), ledger.deadLettered()));
        nextSample += 1_000;
        gateway.restartIfExited();
        gateway.checkRecovered();
      }
      if (now >= nextLine) {
        say(String.format("[%4ds] published %d (unconfirmed %d)  delivered %d  dlq %d"
                + "  forwarded %d | gateway %s, kills %d, MQTT restarts %d, cloud %s",
            (now - start) / 1000, devices.published(), devices.unconfirmed(),
            ledger.delivered(), ledger.deadLettered(), ledger.forwardedRecords(),
            gateway.current().health(), kills.get(), mqttRestarts.get(),
            brokers.cloudUp() ? "up" : "CUT"));
        nextLine += 5_000;
      }
    }

    /** Lets the faults already handed out finish; the cloud is up and the gateway running. */
    private void finishFaults() throws InterruptedException {
      for (ExecutorService e : List.of(gatewayFaults, mqttFaults, cloudFaults)) {
        e.shutdown();
        if (!e.awaitTermination(3, TimeUnit.MINUTES)) {
          throw new IllegalStateException("A fault did not finish in 3 minutes");
        }
      }
      brokers.restoreCloud();
      gateway.restartIfExited();
    }

    /**
     * Waits until every issued event is acknowledged, every published one is accounted for and
     * the gateway's outputs match its inputs, or until {@code deadline}; returns the books.
     */
    private Accounting.Books drain(long deadline) throws InterruptedException {
      Accounting.Books books = settle();
      while (!(devices.unconfirmed() == 0 && books.lost() == 0 && books.backlog() == 0
          && books.processingMismatches() == 0) && clock.millis() < deadline) {
        Thread.sleep(250);
        long now = clock.millis();
        if (now >= nextSample) {
          books = settle();
        }
        tick(now);
      }
      tick(clock.millis());
      return settle();
    }

    private Accounting.Books settle() {
      return Accounting.settle(devices.publishedEvents(), ledger::copies);
    }

    void stopFaults() {
      gatewayFaults.shutdownNow();
      mqttFaults.shutdownNow();
      cloudFaults.shutdownNow();
    }
  }
}
