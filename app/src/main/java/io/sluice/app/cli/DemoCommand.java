package io.sluice.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.connectors.ConnectorMeters;
import io.sluice.lab.fleet.DemoTexts;
import io.sluice.lab.fleet.DeviceFleet;
import io.sluice.lab.fleet.FleetSettings;
import io.sluice.lab.fleet.OutputTally;
import io.sluice.lab.fleet.Settlement;
import io.sluice.operators.OperatorMeters;
import io.sluice.runtime.Metrics;
import io.sluice.runtime.RuntimeOptions;
import io.sluice.runtime.TopologyRuntime;
import io.sluice.runtime.admin.AdminServer;
import io.sluice.runtime.admin.AdminSettings;
import io.sluice.runtime.admin.GatewayView;
import io.sluice.runtime.cli.AdminOptions;
import io.sluice.runtime.cli.DurationConverter;
import io.sluice.runtime.cli.ExitCodes;
import io.sluice.runtime.cli.TopologyFiles;
import io.sluice.runtime.rollout.RolloutEvent;
import io.sluice.runtime.rollout.RolloutPolicy;
import io.sluice.topology.TopologyException;
import io.sluice.topology.spec.Model;
import io.sluice.topology.spec.Source;
import io.sluice.topology.spec.Topics;
import io.sluice.topology.spec.TopologySpec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The one-command demo: embedded brokers, the gateway, a simulated fleet, a live progress line,
 * and at the end one JSON line that accounts for every published event.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Start embedded MQTT and Kafka brokers, the demo gateway and a simulated device fleet",
      "publishing real work-order texts and sensor readings; print progress, then an account of",
      "every event as one JSON line: published, ingested (oversized payloads are dead-lettered",
      "at the ingress instead), results, dlq, lost, and the backlog",
      "still on its way when the outputs stopped growing (at most 120 s after the fleet stops)."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  sluice demo                          60 s at 100 events/s",
      "  sluice demo --duration 30s --rate 500",
      "  sluice demo --duration 0             run until Ctrl-C",
      "",
      "Exit codes: 0 nothing lost, 1 events lost, 2 bad options, 3 could not start."
    })
public final class DemoCommand implements Callable<Integer> {

  @Option(names = "--rate", defaultValue = "100",
      description = "Events per second, all devices together. Default: ${DEFAULT-VALUE}.")
  double rate;

  @Option(names = "--duration", defaultValue = "60s", converter = DurationConverter.class,
      description = "How long the fleet publishes (0 = until stopped). Default: ${DEFAULT-VALUE}.")
  Duration duration;

  @Option(names = "--devices", defaultValue = "8",
      description = "Simulated devices. Default: ${DEFAULT-VALUE}.")
  int devices;

  @Option(names = "--text-share", defaultValue = "0.3",
      description = "Share of events that are text notes. Default: ${DEFAULT-VALUE}.")
  double textShare;

  @Option(names = "--bad-share", defaultValue = "0.02",
      description = "Share of deliberately malformed events. Default: ${DEFAULT-VALUE}.")
  double badShare;

  @Mixin AdminOptions adminOptions;

  @Option(names = "--topology", paramLabel = "FILE",
      description = "Topology to run instead of the bundled edge-configs/demo.yaml.")
  Path topology;

  @Option(names = "--seed", defaultValue = "7", description = "Seed of the fleet's randomness.")
  long seed;

  @Option(names = "--json", description = "No progress line; only the final JSON line.")
  boolean json;

  @Option(names = "--rollout", paramLabel = "BUNDLE",
      description = "Part way through, roll this model bundle out to the topology's first model"
          + " (e.g. classpath:bge-small-en-v1.5-q, twice as slow: it is rolled back by itself).")
  String rolloutBundle;

  @Option(names = "--rollout-after", defaultValue = "20s", converter = DurationConverter.class,
      description = "When to start the --rollout. Default: ${DEFAULT-VALUE}.")
  Duration rolloutAfter;

  @Override
  public Integer call() throws Exception {
    TopologySpec spec;
    try {
      spec = TopologyFiles.load(topology, "demo.yaml");
    } catch (TopologyException e) {
      System.err.println(e.getMessage());
      return ExitCodes.USAGE;
    }
    FleetSettings fleetSettings;
    try {
      fleetSettings = new FleetSettings(rate, devices, textShare, badShare, seed);
    } catch (IllegalArgumentException e) {
      throw new ExitCodes.UsageError(e.getMessage());
    }
    AdminSettings adminSettings = adminOptions.settings(System.getenv());
    PrintStream err = System.err;
    Clock clock = Clock.systemUTC();
    PrometheusMeterRegistry registry = Metrics.registry(spec.metadata().name());
    DemoTexts.Texts texts = DemoTexts.load();
    err.println("Sluice demo: gateway '" + spec.metadata().name() + "', " + fleetSettings.devices()
        + " devices at " + rate + " events/s, texts from " + texts.origin());

    TopologyRuntime runtime = TopologyRuntime.start(spec, RuntimeOptions.temporary(), registry,
        clock);
    AdminServer adminServer = null;
    DeviceFleet fleet = null;
    Admin admin = null;
    OutputTally tally = null;
    AtomicBoolean interrupted = new AtomicBoolean();
    Thread hook = new Thread(() -> interrupted.set(true), "sluice-demo-stop");
    try {
      adminServer = AdminServer.start(adminSettings, GatewayView.of(runtime), registry, clock);
      err.println("Dashboard: " + adminServer.url() + "/dashboard, review queue: "
          + adminServer.url() + "/dashboard/review (API: /openapi.yaml)");
      admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
          runtime.kafkaBootstrap()));
      Topics topics = spec.topics();
      tally = new OutputTally(runtime.kafkaBootstrap(), OutputTally.Outputs.of(topics), null);
      fleet = new DeviceFleet(runtime.mqttUrl(), fleetSettings, texts.texts(), clock,
          new SplittableRandom(seed));
      Runtime.getRuntime().addShutdownHook(hook);
      // MQTT keeps nothing for a subscription that does not exist yet: start the fleet only once
      // the gateway has subscribed (and the stream runs).
      long ready = clock.millis() + 120_000;
      while (!runtime.health().up()) {
        if (clock.millis() > ready) {
          throw new IllegalStateException("The gateway did not become healthy in 120 s: "
              + runtime.health());
        }
        Thread.sleep(50);
      }
      fleet.start();
      long start = clock.millis();
      long end = duration.isZero() ? Long.MAX_VALUE : start + duration.toMillis();
      Progress progress = new Progress(err, !json, System.console() != null);
      Thread rollout = null;
      while (clock.millis() < end && !interrupted.get()) {
        progress.waitTick();
        if (rolloutBundle != null && rollout == null
            && clock.millis() - start >= rolloutAfter.toMillis()) {
          rollout = startRollout(runtime, spec, err);
        }
        progress.print(clock.millis() - start, fleet.published(), ingested(admin, spec),
            tally.distinctResults(), tally.deadLetters(), fleet.published() * 1000.0
                / Math.max(1, clock.millis() - start));
      }
      fleet.stop();
      fleet.awaitInFlight(10_000);
      long published = fleet.published();
      // Settle: wait while outputs grow (at most 120 s); what is on its way then is a backlog.
      Progress ticks = progress;
      Settlement.Books books = tally.settle(runtime.kafkaBootstrap(), spec, registry, published,
          () -> dropped(registry), clock, d -> ticks.waitTick(), interrupted::get);
      progress.done();
      long results = books.delivered();
      long dlq = books.deadLettered();
      long dropped = books.dropped();
      long ingested = ingested(admin, spec);
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("published", published);
      summary.put("published_malformed", fleet.publishedBad());
      summary.put("ingested", ingested);
      // payloads over limits.maxPayloadBytes never reach an input topic: the ingress writes
      // their dead letters straight away
      summary.put("dead_lettered_at_ingress", (long) Metrics.counterSum(registry,
          ConnectorMeters.RELAY_PERMANENT_ERRORS.meterName(), "relay", "mqtt-ingress"));
      summary.put("results", results);
      summary.put("dlq", dlq);
      summary.put("forwarded", tally.forwarded());
      summary.put("review_pending", runtime.review().map(q -> q.pendingCount()).orElse(0));
      summary.put("dropped", dropped);
      summary.put("lost", books.lost());
      summary.put("backlog", books.backlog());
      summary.put("duplicates", books.duplicated());
      summary.put("settled", books.settled());
      summary.put("publish_failures", fleet.failed());
      summary.put("seconds", (clock.millis() - start) / 1000.0);
      summary.put("health", runtime.health().up() ? "UP" : "DOWN");
      runtime.models().ifPresent(m -> m.slots().forEach(slot -> {
        if (!slot.history().isEmpty()) {
          RolloutEvent last = slot.history().get(slot.history().size() - 1);
          summary.put("rollout", Map.of("model", slot.topologyName(), "state",
              last.state().name(), "candidate", last.candidate(), "reason", last.reason()));
        }
      }));
      err.printf("published %d (%d malformed), ingested %d, results %d, dead letters %d, lost %d,"
          + " still on their way %d; %s waiting for people at /dashboard/review%n", published,
          fleet.publishedBad(), ingested, results, dlq, books.lost(), books.backlog(),
          summary.get("review_pending"));
      System.out.println(new ObjectMapper().writeValueAsString(summary));
      return (long) summary.get("lost") == 0 ? ExitCodes.OK : ExitCodes.FAILED;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is already stopping
      }
      if (fleet != null) {
        fleet.close();
      }
      if (tally != null) {
        tally.close();
      }
      if (admin != null) {
        admin.close();
      }
      if (adminServer != null) {
        adminServer.close();
      }
      runtime.close();
    }
  }

  /** Rolls the --rollout bundle out in the background: training the candidate takes a while. */
  private Thread startRollout(TopologyRuntime runtime, TopologySpec spec, PrintStream err) {
    Model model = spec.models().values().stream().findFirst()
        .orElseThrow(() -> new ExitCodes.UsageError("--rollout needs a topology with a model"));
    Thread t = new Thread(() -> {
      try {
        runtime.models().orElseThrow().rollout(model.name(), model, rolloutBundle,
            RolloutPolicy.of(model.rollout()));
        err.println("\nRollout of " + rolloutBundle + " to model '" + model.name()
            + "' started: shadowing on live traffic");
      } catch (RuntimeException e) {
        err.println("\nRollout of " + rolloutBundle + " failed to start: " + e.getMessage());
      }
    }, "sluice-demo-rollout");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Records the router dropped on purpose (route {@code drop}). */
  static long dropped(PrometheusMeterRegistry registry) {
    return (long) Metrics.counterSum(registry, OperatorMeters.ROUTED.meterName(), "route",
        "drop");
  }

  /** Records written to the input topics so far (the sum of their end offsets). */
  static long ingested(Admin admin, TopologySpec spec) {
    try {
      List<String> inputs = spec.sources().stream().map(Source::name).map(spec.topics()::input)
          .toList();
      Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
      admin.describeTopics(inputs).allTopicNames().get(10, TimeUnit.SECONDS).values()
          .forEach(d -> d.partitions().forEach(p ->
              request.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
      return admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).values().stream()
          .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
    } catch (Exception e) {
      return -1;
    }
  }

  /** The live progress line: rewritten in place on a terminal, a line every 5 s otherwise. */
  private static final class Progress {
    private final PrintStream out;
    private final boolean enabled;
    private final boolean terminal;
    private long lastLine;

    Progress(PrintStream out, boolean enabled, boolean terminal) {
      this.out = out;
      this.enabled = enabled;
      this.terminal = terminal;
    }

    void waitTick() throws InterruptedException {
      Thread.sleep(1_000);
    }

    void print(long elapsedMillis, long published, long ingested, long results, long dlq,
        double rate) {
      if (!enabled) {
        return;
      }
      String line = String.format("[%4ds] published %d  ingested %d  results %d  dlq %d  (%.0f ev/s)",
          elapsedMillis / 1000, published, ingested, results, dlq, rate);
      if (terminal) {
        out.print("\r" + line);
        out.flush();
      } else if (elapsedMillis - lastLine >= 5_000) {
        out.println(line);
        lastLine = elapsedMillis;
      }
    }

    void done() {
      if (enabled && terminal) {
        out.println();
      }
    }
  }
}
