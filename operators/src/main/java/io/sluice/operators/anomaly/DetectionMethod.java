package io.sluice.operators.anomaly;

/** Which evidence the detector listens to. Each is one channel; {@link #COMBINED} takes the max. */
public enum DetectionMethod {
  /** Distance of the reading from the median of a sliding window, in robust (IQR) units. */
  ROBUST_LEVEL,
  /** Distance from what the stream did at the same phase of earlier periods (time of day). */
  SEASONAL,
  /** Size of the step from the previous reading, against the usual step size. */
  CHANGE,
  /** All of the above (and an {@link ExternalScorer} when one is given): the highest score wins. */
  COMBINED
}
