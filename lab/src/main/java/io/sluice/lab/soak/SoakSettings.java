package io.sluice.lab.soak;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What one soak run does: how long and how fast the simulated devices publish, which faults it
 * injects and how often, and where it keeps its brokers' data.
 *
 * @param duration how long the devices publish (faults happen within it); the drain comes after
 * @param ratePerSecond events per second, all devices together
 * @param devices simulated devices (one MQTT topic each)
 * @param killGatewayEvery SIGKILL the gateway process this often, then start it again; zero: never
 * @param restartMqttEvery restart the MQTT broker this often; zero: never
 * @param cutCloudLink stop the cloud Kafka for this long, once, centred in the run; zero: never
 * @param badInputShare share of events that are malformed, oversized, invalid UTF-8 or of the
 *     wrong schema (in turn), which must reach the dead-letter topic
 * @param restrictedShare share of events marked restricted, each carrying a canary string that
 *     must never reach a cloud topic
 * @param drainTimeout after publishing stops, how long to wait for the outputs to account for
 *     every published event
 * @param broker which MQTT broker to run and restart
 * @param workDir folder for the brokers' data, the gateway's state and the logs
 * @param gatewayTopology the gateway topology file; null for the bundled
 *     {@code edge-configs/soak-gateway.yaml}. It must take its brokers from the environment
 *     variables {@code MQTT_URL}, {@code KAFKA_BOOTSTRAP} and {@code CLOUD_KAFKA_BOOTSTRAP}
 * @param seed seed of the devices' randomness, so a run can be repeated
 */
public record SoakSettings(Duration duration, double ratePerSecond, int devices,
    Duration killGatewayEvery, Duration restartMqttEvery, Duration cutCloudLink,
    double badInputShare, double restrictedShare, Duration drainTimeout, Broker broker,
    Path workDir, Path gatewayTopology, long seed) {

  /** The MQTT broker the soak runs and restarts. */
  public enum Broker {
    /** Mosquitto when its binary is installed, else Artemis. */
    AUTO,
    /** Mosquitto as a child process, {@code persistence true}, {@code max_queued_messages 0}. */
    MOSQUITTO,
    /** Apache Artemis inside the soak's process, journal on. */
    ARTEMIS
  }

  public SoakSettings {
    Objects.requireNonNull(broker, "broker");
    Objects.requireNonNull(workDir, "workDir");
    List<String> errors = new ArrayList<>();
    if (duration == null || duration.isNegative() || duration.isZero()) {
      errors.add("duration must be positive, got " + duration);
    }
    if (!(ratePerSecond > 0)) {
      errors.add("rate must be positive, got " + ratePerSecond);
    }
    if (devices < 1) {
      errors.add("devices must be at least 1, got " + devices);
    }
    nonNegative(errors, "kill-gateway-every", killGatewayEvery);
    nonNegative(errors, "restart-mqtt-every", restartMqttEvery);
    nonNegative(errors, "cut-cloud-link", cutCloudLink);
    nonNegative(errors, "drain-timeout", drainTimeout);
    if (!(badInputShare >= 0 && badInputShare <= 1)) {
      errors.add("bad-input-share must be between 0 and 1, got " + badInputShare);
    }
    if (!(restrictedShare >= 0 && restrictedShare <= 1)
        || badInputShare + restrictedShare > 1) {
      errors.add("restricted-share must be between 0 and 1 - bad-input-share, got "
          + restrictedShare);
    }
    if (errors.isEmpty() && cutCloudLink.compareTo(duration) >= 0) {
      errors.add("cut-cloud-link (" + cutCloudLink.toSeconds()
          + " s) must be shorter than the duration (" + duration.toSeconds() + " s)");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", errors));
    }
  }

  private static void nonNegative(List<String> errors, String name, Duration value) {
    if (value == null || value.isNegative()) {
      errors.add(name + " must be zero or positive, got " + value);
    }
  }

  /** A run with no faults and default shares, for building on with the {@code with} methods. */
  public static SoakSettings of(Duration duration, double ratePerSecond, Path workDir) {
    return new SoakSettings(duration, ratePerSecond, 8, Duration.ZERO, Duration.ZERO,
        Duration.ZERO, 0, 0, Duration.ofMinutes(5), Broker.AUTO, workDir, null, 7);
  }

  public SoakSettings withFaults(Duration killGatewayEvery, Duration restartMqttEvery,
      Duration cutCloudLink) {
    return new SoakSettings(duration, ratePerSecond, devices, killGatewayEvery,
        restartMqttEvery, cutCloudLink, badInputShare, restrictedShare, drainTimeout, broker,
        workDir, gatewayTopology, seed);
  }

  public SoakSettings withShares(double badInputShare, double restrictedShare) {
    return new SoakSettings(duration, ratePerSecond, devices, killGatewayEvery,
        restartMqttEvery, cutCloudLink, badInputShare, restrictedShare, drainTimeout, broker,
        workDir, gatewayTopology, seed);
  }

  public SoakSettings withBroker(Broker broker) {
    return new SoakSettings(duration, ratePerSecond, devices, killGatewayEvery,
        restartMqttEvery, cutCloudLink, badInputShare, restrictedShare, drainTimeout, broker,
        workDir, gatewayTopology, seed);
  }

  public SoakSettings withDrainTimeout(Duration drainTimeout) {
    return new SoakSettings(duration, ratePerSecond, devices, killGatewayEvery,
        restartMqttEvery, cutCloudLink, badInputShare, restrictedShare, drainTimeout, broker,
        workDir, gatewayTopology, seed);
  }

  public SoakSettings withGatewayTopology(Path gatewayTopology) {
    return new SoakSettings(duration, ratePerSecond, devices, killGatewayEvery,
        restartMqttEvery, cutCloudLink, badInputShare, restrictedShare, drainTimeout, broker,
        workDir, gatewayTopology, seed);
  }
}
