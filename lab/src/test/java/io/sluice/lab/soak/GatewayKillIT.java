package io.sluice.lab.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway, a separate process, is SIGKILLed twice mid-stream and started again each time on
 * its data folder, through the soak harness in a short run: real brokers (Mosquitto when
 * installed), the default model on the gateway, the cloud tier behind the link.
 *
 * <p>"Exactly once in the outputs": every published event is in an output (nothing lost), each
 * copy of a message in the gateway's input topic comes out exactly once (Kafka Streams'
 * exactly-once survives the kill), and the cloud holds no event twice. A message the broker
 * redelivers because the killed gateway never acknowledged it is a second input copy; those are
 * counted (at-least-once ingress) and each comes out once too.
 */
class GatewayKillIT {

  @Test
  void aGatewayKilledMidStreamLosesNothingAndEmitsEachInputOnce(@TempDir Path dir)
      throws Exception {
    SoakSettings settings = SoakSettings.of(Duration.ofSeconds(45), 20, dir.resolve("work"))
        .withFaults(Duration.ofSeconds(15), Duration.ZERO, Duration.ZERO)
        .withShares(0.05, 0.02)
        .withDrainTimeout(Duration.ofMinutes(3));
    Path chart = dir.resolve("soak.png");

    SoakReport report = new Soak(settings, Clock.systemUTC(), System.out).run(chart);

    String books = report.toJson().toString();
    assertThat(report.kills()).isEqualTo(2);
    assertThat(report.gatewayLogs()).hasSize(3);
    assertThat(report.published()).as(books).isGreaterThan(800);
    assertThat(report.lost()).as(books).isZero();
    assertThat(report.backlog()).as(books).isZero();
    assertThat(report.delivered() + report.dlq()).as(books).isEqualTo(report.published());
    assertThat(report.dlq()).as(books).isEqualTo(report.publishedBad()).isPositive();
    assertThat(report.processingMismatches()).as(books).isZero();
    assertThat(report.gatewayDuplicates()).as(books).isEqualTo(report.ingressCopies());
    assertThat(report.duplicates()).as(books).isZero();
    assertThat(report.misrouted()).as(books).isZero();
    assertThat(report.canaryLeaks()).as(books).isZero();
    assertThat(report.forwarded()).as(books).isPositive();
    assertThat(report.passed()).isTrue();
    assertThat(Files.size(chart)).isPositive();
  }
}
