package io.sluice.lab.soak;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * When a soak run injects which fault, as offsets from the moment the devices start publishing.
 * Worked out from the settings alone, so a run's faults can be read (and tested) before it starts.
 *
 * <p>Kills fall at every multiple of {@code killGatewayEvery} and MQTT restarts at every multiple
 * of {@code restartMqttEvery}, both strictly inside the run. The cloud link is cut once, for
 * {@code cutCloudLink}, centred in the run, so the gateway works through the cut with faults
 * before, during and after it.
 *
 * @param faults in order of time; a cut appears as a {@code CUT_CLOUD_LINK} and a
 *     {@code RESTORE_CLOUD_LINK}
 */
public record FaultPlan(List<Fault> faults) {

  /** A kind of fault. */
  public enum Kind {
    /** SIGKILL the gateway process, then start a new one on the same data folder. */
    KILL_GATEWAY,
    /** Restart the MQTT broker (gracefully: a persistent broker saves its sessions). */
    RESTART_MQTT,
    /** Stop the cloud's Kafka broker. */
    CUT_CLOUD_LINK,
    /** Start the cloud's Kafka broker again on the same port and data folder. */
    RESTORE_CLOUD_LINK
  }

  /** One fault, {@code at} after the devices started. */
  public record Fault(Duration at, Kind kind) {}

  public FaultPlan {
    faults = List.copyOf(faults);
  }

  public static FaultPlan of(SoakSettings settings) {
    Duration run = settings.duration();
    List<Fault> faults = new ArrayList<>();
    every(settings.killGatewayEvery(), run, Kind.KILL_GATEWAY, faults);
    every(settings.restartMqttEvery(), run, Kind.RESTART_MQTT, faults);
    Duration cut = settings.cutCloudLink();
    if (!cut.isZero()) {
      Duration start = run.minus(cut).dividedBy(2);
      faults.add(new Fault(start, Kind.CUT_CLOUD_LINK));
      faults.add(new Fault(start.plus(cut), Kind.RESTORE_CLOUD_LINK));
    }
    faults.sort(Comparator.comparing(Fault::at));
    return new FaultPlan(faults);
  }

  /** How many faults of this kind the plan holds. */
  public long count(Kind kind) {
    return faults.stream().filter(f -> f.kind() == kind).count();
  }

  private static void every(Duration period, Duration run, Kind kind, List<Fault> out) {
    if (period.isZero()) {
      return;
    }
    for (Duration at = period; at.compareTo(run) < 0; at = at.plus(period)) {
      out.add(new Fault(at, kind));
    }
  }
}
