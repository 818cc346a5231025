package io.sluice.operators.anomaly;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Configuration of the anomaly operator (the {@code anomaly}/{@code window} step of a topology).
 *
 * @param window length of the tumbling event-time window whose normal readings are summarised
 * @param detector the detector's settings (method, threshold and the tunables)
 * @param storeName name of the logged key-value store that holds each device+metric's state
 */
public record AnomalyConfig(Duration window, DetectorSettings detector, String storeName) {

  private static final Pattern STORE_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,200}");

  public AnomalyConfig {
    List<String> problems = new ArrayList<>();
    if (window == null || window.toMillis() < 1000) {
      problems.add("window must be at least 1s, got " + window);
    } else if (window.compareTo(Duration.ofDays(7)) > 0) {
      problems.add("window must be at most 7 days, got " + window);
    }
    if (detector == null) {
      problems.add("detector settings must be given (DetectorSettings.defaults() for the defaults)");
    }
    if (storeName == null || !STORE_NAME.matcher(storeName).matches()) {
      problems.add("storeName must be 1-200 characters of [a-zA-Z0-9._-], got '" + storeName + "'");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid anomaly config: " + String.join("; ", problems));
    }
  }

  /** One-hour windows, the default detector, store {@code anomaly-state}. */
  public static AnomalyConfig defaults() {
    return new AnomalyConfig(Duration.ofHours(1), DetectorSettings.defaults(), "anomaly-state");
  }

  /**
   * The common knobs: window, method and threshold; everything else default. The default
   * threshold (0.35) was the best on NAB for all three of its profiles (docs/anomaly.md).
   */
  public static AnomalyConfig of(Duration window, DetectionMethod method, double threshold) {
    DetectorSettings detector =
        DetectorSettings.defaults().withMethod(method).withThreshold(threshold);
    return new AnomalyConfig(window, detector, "anomaly-state");
  }

  public AnomalyConfig withStoreName(String name) {
    return new AnomalyConfig(window, detector, name);
  }
}
