package io.sluice.operators.anomaly;

import java.util.Random;

/** Deterministic test streams: a daily sine with Gaussian noise, one reading every 5 minutes. */
final class SyntheticSeries {

  static final long START = 1_700_000_000_000L - Math.floorMod(1_700_000_000_000L, 86_400_000L);
  static final long STEP = 300_000L;

  private SyntheticSeries() {}

  static long time(int index) {
    return START + index * STEP;
  }

  static double[] dailySine(int length, long seed) {
    Random random = new Random(seed);
    double[] values = new double[length];
    for (int i = 0; i < length; i++) {
      values[i] = 50 + 10 * Math.sin(2 * Math.PI * i / 288.0) + random.nextGaussian();
    }
    return values;
  }
}
