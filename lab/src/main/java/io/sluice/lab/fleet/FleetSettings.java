package io.sluice.lab.fleet;

/**
 * What the simulated device fleet publishes.
 *
 * @param ratePerSecond events per second, all devices together
 * @param devices how many devices
 * @param textShare share of events that are text notes (the rest are sensor readings)
 * @param badShare share of events that are deliberately malformed
 * @param seed seed of the fleet's randomness, so a run can be repeated
 */
public record FleetSettings(double ratePerSecond, int devices, double textShare, double badShare,
    long seed) {

  public FleetSettings {
    if (!(ratePerSecond > 0)) {
      throw new IllegalArgumentException("rate must be positive, got " + ratePerSecond);
    }
    if (devices < 1) {
      throw new IllegalArgumentException("devices must be at least 1, got " + devices);
    }
    if (textShare < 0 || textShare > 1 || badShare < 0 || badShare > 1) {
      throw new IllegalArgumentException("shares must be between 0 and 1");
    }
  }
}
