package io.sluice.lab.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import io.sluice.lab.soak.Soak;
import io.sluice.lab.soak.SoakReport;
import io.sluice.lab.soak.SoakSettings;
import io.sluice.runtime.cli.CliOutput;
import io.sluice.runtime.cli.DurationConverter;
import io.sluice.runtime.cli.ExitCodes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice soak}: the fault drill, with the gateway in its own process. */
@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    description = {
      "Fault drill: run the gateway (edge-configs/soak-gateway.yaml) as a separate process",
      "against an MQTT broker, a gateway Kafka, a cloud Kafka and the cloud tier that this",
      "command owns; publish numbered events from simulated devices; SIGKILL the gateway,",
      "restart the MQTT broker and cut the cloud link on a fixed plan; then account for every",
      "event the broker acknowledged. Progress on stderr; the last stdout line is one JSON",
      "object: published, delivered, lost, duplicates (after the cloud's de-duplication), dlq,",
      "kills, mqtt_restarts, mqtt_broker and the copies made before de-duplication.",
      "A duration of 0 turns a fault off. See docs/RELIABILITY.md."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  sluice soak --duration 180s --kill-gateway-every 40s \\",
      "      --restart-mqtt-every 70s --cut-cloud-link 60s --bad-input-share 0.05 --json",
      "  sluice soak --duration 60s --kill-gateway-every 0 --restart-mqtt-every 0 \\",
      "      --cut-cloud-link 0                     a baseline without faults",
      "",
      "Exit codes: 0 nothing lost or repeated and every guarantee held,",
      "1 a guarantee failed, 2 bad options, 3 could not run (a broker or the",
      "gateway did not start)."
    })
public final class SoakCommand implements Callable<Integer> {

  @Option(names = "--duration", defaultValue = "180s", converter = DurationConverter.class,
      description = "How long the devices publish; faults fall within it, the drain comes after."
          + " Default: ${DEFAULT-VALUE}.")
  Duration duration;

  @Option(names = "--rate", defaultValue = "20",
      description = "Events per second, all devices together. Default: ${DEFAULT-VALUE}.")
  double rate;

  @Option(names = "--kill-gateway-every", defaultValue = "40s",
      converter = DurationConverter.class,
      description = "SIGKILL the gateway process this often, then start it again on the same"
          + " data folder; 0: never. Default: ${DEFAULT-VALUE}.")
  Duration killGatewayEvery;

  @Option(names = "--restart-mqtt-every", defaultValue = "70s",
      converter = DurationConverter.class,
      description = "Restart the MQTT broker this often; 0: never. Default: ${DEFAULT-VALUE}.")
  Duration restartMqttEvery;

  @Option(names = "--cut-cloud-link", defaultValue = "60s", converter = DurationConverter.class,
      description = "Stop the cloud's Kafka this long, once, centred in the run, then start it"
          + " on the same port and data folder; 0: never. Default: ${DEFAULT-VALUE}.")
  Duration cutCloudLink;

  @Option(names = "--bad-input-share", defaultValue = "0.05",
      description = "Share of malformed, oversized, invalid UTF-8 and wrong-schema payloads (in"
          + " turn). Default: ${DEFAULT-VALUE}.")
  double badInputShare;

  @Option(names = "--restricted-share", defaultValue = "0.02",
      description = "Share of restricted notes, each with a canary string that must never"
          + " reach a cloud topic. Default: ${DEFAULT-VALUE}.")
  double restrictedShare;

  @Option(names = "--devices", defaultValue = "8",
      description = "Simulated devices. Default: ${DEFAULT-VALUE}.")
  int devices;

  @Option(names = "--broker", defaultValue = "auto",
      description = "MQTT broker: auto (Mosquitto when installed, else Artemis), mosquitto or"
          + " artemis. Default: ${DEFAULT-VALUE}.")
  SoakSettings.Broker broker;

  @Option(names = "--drain-timeout", defaultValue = "5m", converter = DurationConverter.class,
      description = "After the devices stop, the longest wait for every event to be accounted"
          + " for. Default: ${DEFAULT-VALUE}.")
  Duration drainTimeout;

  @Option(names = "--topology", paramLabel = "FILE",
      description = "Gateway topology instead of the bundled soak-gateway.yaml; it must read its"
          + " brokers from MQTT_URL, KAFKA_BOOTSTRAP and CLOUD_KAFKA_BOOTSTRAP.")
  Path topology;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Folder for brokers' data, gateway state and logs. Default: a new temporary"
          + " folder, removed after a run that passed unless --keep.")
  Path workDir;

  @Option(names = "--keep", description = "Keep the work folder after a run that passed.")
  boolean keep;

  @Option(names = "--chart", paramLabel = "PNG", defaultValue = "soak.png",
      description = "Chart of published, delivered and forwarded events per second with the"
          + " faults marked. Default: ${DEFAULT-VALUE}.")
  Path chart;

  @Option(names = "--seed", defaultValue = "7", description = "Seed of the devices' randomness.")
  long seed;

  @Option(names = "--json", description = "Last stdout line: the report as one JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    boolean temporary = workDir == null;
    Path dir = temporary ? Files.createTempDirectory("sluice-soak-") : workDir.toAbsolutePath();
    SoakSettings settings;
    try {
      settings = new SoakSettings(duration, rate, devices, killGatewayEvery, restartMqttEvery,
          cutCloudLink, badInputShare, restrictedShare, drainTimeout, broker, dir,
          topology, seed);
    } catch (IllegalArgumentException e) {
      throw new ExitCodes.UsageError(e.getMessage());
    }
    if (topology != null && !Files.isRegularFile(topology)) {
      throw new ExitCodes.UsageError("--topology " + topology + ": no such file");
    }
    Files.createDirectories(dir);
    Path logFile = dir.resolve("soak.log");
    logToFile(logFile);
    System.err.println("Logs: " + logFile + " (this process), " + dir + "/gateway-N.log"
        + " (each gateway process)");
    SoakReport report = new Soak(settings, Clock.systemUTC(), System.err).run(chart);
    boolean kept = !(report.passed() && temporary && !keep);
    System.err.printf("published %d, delivered %d, dlq %d, lost %d, still on their way %d,"
            + " duplicates %d (after the cloud's de-duplication); before it: %d ingress copies,"
            + " %d gateway duplicates, %d link repeats; kills %d, MQTT restarts %d; %s%n",
        report.published(), report.delivered(), report.dlq(), report.lost(), report.backlog(),
        report.duplicates(), report.ingressCopies(), report.gatewayDuplicates(),
        report.linkRepeats(), report.kills(), report.mqttRestarts(),
        report.passed() ? "PASSED" : "FAILED");
    if (chart != null) {
      System.err.println("Chart: " + chart.toAbsolutePath());
    }
    if (kept) {
      System.err.println("Work folder kept: " + dir);
    } else {
      deleteRecursively(dir);
    }
    Map<String, Object> out = report.toJson();
    out.put("work_dir", kept ? dir.toString() : null);
    if (json) {
      CliOutput.printJsonLine(new PrintWriter(System.out, true), out);
    }
    return report.passed() ? ExitCodes.OK : ExitCodes.FAILED;
  }

  /**
   * Sends this process's log (brokers, the cloud tier) to a file, and only errors to stderr, so
   * that stderr shows the progress lines.
   */
  private static void logToFile(Path file) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n");
    encoder.start();
    FileAppender<ILoggingEvent> appender = new FileAppender<>();
    appender.setContext(context);
    appender.setName("SOAK-FILE");
    appender.setFile(file.toString());
    appender.setEncoder(encoder);
    appender.start();
    for (var it = root.iteratorForAppenders(); it.hasNext(); ) {
      Appender<ILoggingEvent> existing = it.next();
      ThresholdFilter errorsOnly = new ThresholdFilter();
      errorsOnly.setLevel(Level.ERROR.levelStr);
      errorsOnly.start();
      existing.addFilter(errorsOnly);
    }
    root.addAppender(appender);
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("Could not remove " + dir + ": " + e.getMessage());
    }
  }
}
