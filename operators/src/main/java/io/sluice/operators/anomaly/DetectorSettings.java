package io.sluice.operators.anomaly;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything that shapes the detector. The defaults were chosen by measurement on the NAB files
 * (see docs/anomaly.md); the same values serve every stream. Construction validates every field
 * and reports all problems at once.
 *
 * @param method which channels to listen to
 * @param threshold score at or above which a reading is flagged, in (0, 1]
 * @param windowReadings readings in the sliding window of the robust level channel
 * @param seasonPeriod length of the season of the seasonal channel (a day for most plants)
 * @param seasonBuckets slots per season; a slot's expectation is learned across seasons
 * @param seasonSmoothing weight of the newest reading in a slot's expectation, in (0, 1]
 * @param longTermReadings horizon (in readings) of what is usual for each channel
 * @param shortTermReadings readings averaged before comparing with what is usual
 * @param warmupReadings readings each channel learns from before it scores
 * @param cooldown after a flagged reading, how long (event time) the stream stays quiet: scores
 *     in that time are scaled into [0, threshold) so one event raises one flag
 */
public record DetectorSettings(
    DetectionMethod method,
    double threshold,
    int windowReadings,
    Duration seasonPeriod,
    int seasonBuckets,
    double seasonSmoothing,
    int longTermReadings,
    int shortTermReadings,
    int warmupReadings,
    Duration cooldown) {

  public DetectorSettings {
    List<String> problems = new ArrayList<>();
    if (method == null) {
      problems.add("method must be one of " + List.of(DetectionMethod.values()) + ", got null");
    }
    if (!(threshold > 0 && threshold <= 1)) {
      problems.add("threshold must be in (0, 1], got " + threshold);
    }
    if (windowReadings < 8 || windowReadings > 100_000) {
      problems.add("windowReadings must be in [8, 100000], got " + windowReadings);
    }
    if (seasonPeriod == null || seasonPeriod.toMillis() < 1000) {
      problems.add("seasonPeriod must be at least 1s, got " + seasonPeriod);
    }
    if (seasonBuckets < 1 || seasonBuckets > 100_000) {
      problems.add("seasonBuckets must be in [1, 100000], got " + seasonBuckets);
    }
    if (!(seasonSmoothing > 0 && seasonSmoothing <= 1)) {
      problems.add("seasonSmoothing must be in (0, 1], got " + seasonSmoothing);
    }
    if (longTermReadings < 10) {
      problems.add("longTermReadings must be at least 10, got " + longTermReadings);
    }
    if (shortTermReadings < 1 || shortTermReadings > 1000) {
      problems.add("shortTermReadings must be in [1, 1000], got " + shortTermReadings);
    }
    if (warmupReadings < 1) {
      problems.add("warmupReadings must be at least 1, got " + warmupReadings);
    }
    if (cooldown == null || cooldown.isNegative()) {
      problems.add("cooldown must be a duration >= 0, got " + cooldown);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid detector settings: " + String.join("; ", problems));
    }
  }

  /** The measured defaults (docs/anomaly.md). */
  public static DetectorSettings defaults() {
    return new DetectorSettings(DetectionMethod.COMBINED, 0.35, 576, Duration.ofDays(1), 288, 0.3,
        2000, 3, 150, Duration.ofHours(12));
  }

  public DetectorSettings withMethod(DetectionMethod newMethod) {
    return new DetectorSettings(newMethod, threshold, windowReadings, seasonPeriod, seasonBuckets,
        seasonSmoothing, longTermReadings, shortTermReadings, warmupReadings, cooldown);
  }

  public DetectorSettings withThreshold(double newThreshold) {
    return new DetectorSettings(method, newThreshold, windowReadings, seasonPeriod, seasonBuckets,
        seasonSmoothing, longTermReadings, shortTermReadings, warmupReadings, cooldown);
  }

  /**
   * A 64-bit fingerprint of everything that shapes the state (all fields but the threshold and
   * the cooldown, which only decide the flags). Saved state carries it, so state from other settings is recognised.
   */
  public long stateFingerprint() {
    String shape = method + "|" + windowReadings + "|" + seasonPeriod.toMillis() + "|" + seasonBuckets
        + "|" + seasonSmoothing + "|" + longTermReadings + "|" + shortTermReadings + "|"
        + warmupReadings;
    long hash = 0xcbf29ce484222325L;
    for (int i = 0; i < shape.length(); i++) {
      hash ^= shape.charAt(i);
      hash *= 0x100000001b3L;
    }
    return hash;
  }
}
