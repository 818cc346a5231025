package io.sluice.lab.soak;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a soak run: what was published and where it ended up, the faults injected, and
 * the copies made along the way.
 *
 * @param published distinct events the MQTT broker acknowledged (PUBACK)
 * @param delivered distinct valid events found in a final output: the gateway's results, review
 *     or alerts topic, or the cloud's verdicts (forwarded events count once the cloud resolved them)
 * @param lost published events found neither in an output (valid ones) nor in the dead-letter
 *     topic (bad ones), and with no copy on its way either
 * @param backlog published events not in an output yet but with a copy on its way (in the
 *     gateway's input or forward topic, or the cloud's copy): still moving, never called lost
 * @param duplicates copies past the first of an event in the cloud's verdicts, after the cloud's
 *     de-duplication by event id
 * @param dlq distinct bad events found in the gateway's dead-letter topic
 * @param kills gateway processes killed with SIGKILL (each followed by a new one)
 * @param mqttRestarts MQTT broker restarts
 * @param mqttBroker which broker ran, and how it keeps sessions across restarts
 * @param publishedValid published events that were valid notes (restricted ones included)
 * @param publishedBad published events that were bad payloads
 * @param restricted published restricted notes, each with a canary string
 * @param unconfirmed events issued that the broker never acknowledged (not counted as published)
 * @param deviceResends publishes the devices repeated after a failure or a lost connection
 * @param ingressCopies extra copies of events in the gateway's input topic: redeliveries by the
 *     broker after a kill, and device resends (at-least-once ingress, before any de-duplication)
 * @param gatewayDuplicates extra copies of events in the gateway's outputs (local, forward and
 *     dead-letter), before any de-duplication; they come from the ingress copies
 * @param forwarded distinct events the gateway forwarded to the cloud
 * @param linkRepeats extra copies the cloud link wrote to the cloud beyond what the gateway
 *     forwarded (at-least-once link, removed by the cloud's de-duplication)
 * @param processingMismatches events whose copies out of the gateway differ from their copies in
 *     (exactly-once processing says each input copy comes out exactly once)
 * @param misrouted valid events in the dead-letter topic, or bad events in an output
 * @param canaryLeaks records on a topic bound for the cloud holding a restricted event's canary
 * @param lostByKind lost events by kind of event
 * @param lostSample up to 20 lost event ids
 * @param deadLetterTypes distinct dead letters by the reason type the gateway gave
 * @param gatewayExits times the gateway process exited without being killed (a crash); each was
 *     started again
 * @param restartToUpSeconds for each restart of the gateway, seconds until its {@code /health}
 *     was UP again (streams running, MQTT connected), sampled about once a second
 * @param cloudLinkCutSeconds how long the cloud's Kafka was stopped
 * @param publishSeconds how long the devices published
 * @param drainSeconds how long it took, after publishing stopped, to account for every event (or
 *     until the drain timeout)
 * @param chart the PNG chart of rates over time, or null
 * @param gatewayLogs the log file of each gateway process, in order
 */
public record SoakReport(long published, long delivered, long lost, long backlog,
    long duplicates, long dlq,
    int kills, int mqttRestarts, String mqttBroker, long publishedValid, long publishedBad,
    long restricted, long unconfirmed, long deviceResends, long ingressCopies,
    long gatewayDuplicates, long forwarded, long linkRepeats, long processingMismatches,
    long misrouted, long canaryLeaks, Map<String, Long> lostByKind, List<String> lostSample,
    Map<String, Long> deadLetterTypes, int gatewayExits, List<Double> restartToUpSeconds,
    long cloudLinkCutSeconds,
    double publishSeconds,
    double drainSeconds, Path chart, List<Path> gatewayLogs) {

  public SoakReport {
    lostByKind = Map.copyOf(lostByKind);
    lostSample = List.copyOf(lostSample);
    deadLetterTypes = Map.copyOf(deadLetterTypes);
    gatewayLogs = List.copyOf(gatewayLogs);
    restartToUpSeconds = List.copyOf(restartToUpSeconds);
  }

  /**
   * Every guarantee held: nothing lost and nothing still on its way, nothing repeated after the cloud's de-duplication, every
   * bad event in the dead-letter topic and no valid one there, no restricted text on a cloud
   * topic, the gateway processed each input copy exactly once and never exited on its own.
   */
  public boolean passed() {
    return lost == 0 && backlog == 0 && duplicates == 0 && misrouted == 0 && canaryLeaks == 0
        && processingMismatches == 0 && gatewayExits == 0;
  }

  /** The report as one JSON object's fields, the headline figures first. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("published", published);
    m.put("delivered", delivered);
    m.put("lost", lost);
    m.put("backlog", backlog);
    m.put("duplicates", duplicates);
    m.put("dlq", dlq);
    m.put("kills", kills);
    m.put("mqtt_restarts", mqttRestarts);
    m.put("mqtt_broker", mqttBroker);
    m.put("passed", passed());
    m.put("published_valid", publishedValid);
    m.put("published_bad", publishedBad);
    m.put("restricted", restricted);
    m.put("unconfirmed", unconfirmed);
    m.put("device_resends", deviceResends);
    m.put("ingress_copies", ingressCopies);
    m.put("gateway_duplicates", gatewayDuplicates);
    m.put("forwarded", forwarded);
    m.put("link_repeats", linkRepeats);
    m.put("processing_mismatches", processingMismatches);
    m.put("misrouted", misrouted);
    m.put("canary_leaks", canaryLeaks);
    m.put("lost_by_kind", lostByKind);
    m.put("lost_sample", lostSample);
    m.put("dlq_types", deadLetterTypes);
    m.put("gateway_exits", gatewayExits);
    m.put("restart_to_up_s", restartToUpSeconds);
    m.put("cloud_link_cut_s", cloudLinkCutSeconds);
    m.put("publish_s", publishSeconds);
    m.put("drain_s", drainSeconds);
    m.put("chart", chart == null ? null : chart.toString());
    return m;
  }
}
