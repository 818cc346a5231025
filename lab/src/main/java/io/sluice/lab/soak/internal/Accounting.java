package io.sluice.lab.soak.internal;

import io.sluice.lab.soak.internal.OutputLedger.Place;
import io.sluice.lab.soak.internal.SoakEvents.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Settles the soak's books: for every event the broker acknowledged, where its copies ended up.
 *
 * <ul>
 *   <li>A valid event is <b>delivered</b> when at least one copy is in a final output: the
 *       gateway's results, review or alerts, or the cloud's verdicts (a forwarded record counts
 *       once the cloud has resolved it, not when it merely left the gateway).
 *   <li>A bad event is <b>dead-lettered</b> when a copy is in the gateway's dead-letter topic.
 *   <li>An event that has not landed but has a copy on its way (in the gateway's input or forward
 *       topic, or the cloud's copy of it) and none in the dead-letter topic is a <b>backlog</b>:
 *       still on its way, not lost.
 *   <li>Everything else published is <b>lost</b>. A valid event in the dead-letter topic, or a bad
 *       one in an output, is also counted as <b>misrouted</b>.
 *   <li><b>duplicates</b>: copies past the first in the cloud's verdicts, which the cloud's
 *       de-duplication by event id must prevent.
 *   <li>Copies before any de-duplication are counted apart: <b>ingress copies</b> (extra copies
 *       of a message in the gateway's input topic: the broker redelivered it after the gateway
 *       died before acknowledging, or the device resent it) and <b>gateway duplicates</b> (extra
 *       copies in the gateway's outputs). Kafka Streams runs exactly-once, so each input copy must
 *       come out exactly once: an event whose output copies (local, forward and dead-letter
 *       together) differ from its input copies is a <b>processing mismatch</b>.
 * </ul>
 */
public final class Accounting {

  private static final int SAMPLE = 20;

  private Accounting() {}

  /** The settled books. */
  public record Books(long published, long publishedValid, long publishedBad, long restricted,
      long delivered, long deadLettered, long lost, List<String> lostSample,
      Map<String, Long> lostByKind, long duplicates, long ingressCopies,
      long gatewayDuplicates, long forwarded, long linkRepeats, long processingMismatches,
      List<String> mismatchSample, long misrouted, long backlog) {

    /** Nothing lost, nothing repeated after de-duplication, nothing misrouted. */
    public boolean balanced() {
      return lost == 0 && duplicates == 0 && misrouted == 0;
    }
  }

  /**
   * @param published every acknowledged event: id to kind
   * @param copies copies of an event per {@link Place} (by ordinal)
   */
  public static Books settle(Map<String, Kind> published, Function<String, int[]> copies) {
    long valid = 0;
    long bad = 0;
    long restricted = 0;
    long delivered = 0;
    long deadLettered = 0;
    long duplicates = 0;
    long ingressCopies = 0;
    long gatewayDuplicates = 0;
    long forwarded = 0;
    long linkRepeats = 0;
    long mismatches = 0;
    long misrouted = 0;
    long backlog = 0;
    List<String> lost = new ArrayList<>();
    Map<String, Long> lostByKind = new TreeMap<>();
    List<String> mismatchSample = new ArrayList<>();
    for (Map.Entry<String, Kind> e : new TreeMap<>(published).entrySet()) {
      String id = e.getKey();
      Kind kind = e.getValue();
      int[] c = copies.apply(id);
      int input = c[Place.INPUT.ordinal()];
      int local = c[Place.LOCAL.ordinal()];
      int forward = c[Place.FORWARD.ordinal()];
      int cloudForward = c[Place.CLOUD_FORWARD.ordinal()];
      int verdict = c[Place.VERDICT.ordinal()];
      int dlq = c[Place.DLQ.ordinal()];
      ingressCopies += Math.max(0, input - 1);
      int outputs = local + forward + dlq;
      gatewayDuplicates += Math.max(0, outputs - 1);
      duplicates += Math.max(0, verdict - 1);
      linkRepeats += Math.max(0, cloudForward - forward);
      if (forward > 0) {
        forwarded++;
      }
      if (outputs != input) {
        mismatches++;
        if (mismatchSample.size() < SAMPLE) {
          mismatchSample.add(id + " in " + input + " out " + outputs);
        }
      }
      boolean landed;
      if (kind.bad()) {
        bad++;
        landed = dlq > 0;
        if (landed) {
          deadLettered++;
        }
        if (local + verdict > 0) {
          misrouted++;
        }
      } else {
        valid++;
        if (kind == Kind.RESTRICTED) {
          restricted++;
        }
        landed = local + verdict > 0;
        if (landed) {
          delivered++;
        }
        if (dlq > 0) {
          misrouted++;
        }
      }
      if (!landed && dlq == 0 && input + forward + cloudForward > 0) {
        backlog++;
      } else if (!landed) {
        lostByKind.merge(kind.name(), 1L, Long::sum);
        if (lost.size() < SAMPLE) {
          lost.add(id);
        }
      }
    }
    long lostCount = lostByKind.values().stream().mapToLong(Long::longValue).sum();
    return new Books(published.size(), valid, bad, restricted, delivered, deadLettered,
        lostCount, List.copyOf(lost), Map.copyOf(lostByKind), duplicates, ingressCopies,
        gatewayDuplicates, forwarded, linkRepeats, mismatches, List.copyOf(mismatchSample),
        misrouted, backlog);
  }
}
