package io.sluice.lab.eval.nab;

import java.util.List;

/**
 * An application profile of the NAB scoring method: the weights of a true positive, a false
 * positive and a false negative. Constants from Lavin and Ahmad (2015), "Evaluating Real-time
 * Anomaly Detection Algorithms - the Numenta Anomaly Benchmark", Table 1, as published in NAB's
 * profile configuration: standard (1, 0.11, 1), reward low FP (1, 0.22, 1), reward low FN
 * (1, 0.11, 2).
 *
 * @param name the key used in JSON output
 */
public record NabProfile(String name, double tpWeight, double fpWeight, double fnWeight) {

  public static final NabProfile STANDARD = new NabProfile("standard", 1.0, 0.11, 1.0);
  public static final NabProfile REWARD_LOW_FP = new NabProfile("reward_low_fp", 1.0, 0.22, 1.0);
  public static final NabProfile REWARD_LOW_FN = new NabProfile("reward_low_fn", 1.0, 0.11, 2.0);

  public static List<NabProfile> all() {
    return List.of(STANDARD, REWARD_LOW_FP, REWARD_LOW_FN);
  }
}
