package io.sluice.inference;

/**
 * The range of values one quantized activation tensor takes on calibration texts; a static
 * quantizer maps {@code [min(0, min), max(0, max)]} onto the 256 levels of an unsigned byte.
 */
public record ActivationRange(double min, double max) {

  public ActivationRange {
    if (!Double.isFinite(min) || !Double.isFinite(max) || min > max) {
      throw new IllegalArgumentException(
          "An activation range needs finite min <= max, got [" + min + ", " + max + "]");
    }
  }

  /** The smallest range holding both. */
  public ActivationRange union(ActivationRange other) {
    return new ActivationRange(Math.min(min, other.min), Math.max(max, other.max));
  }
}
