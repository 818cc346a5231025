package io.sluice.inference;

import java.time.Duration;
import java.util.List;

/**
 * A description of the head now serving.
 *
 * @param version rises by one with every trained or loaded head
 * @param kind the head actually trained ({@link HeadKind#AUTO} resolved)
 * @param labels the labels it knows, in output order
 * @param examples how many examples it learned from
 * @param calibrationExamples how many held-aside examples calibrated it
 * @param temperature the fitted temperature
 * @param noveltyThreshold the novelty score above which texts are flagged novel
 * @param noveltyEnergyWeight the weight of the energy signal in the novelty score (0 to 1)
 * @param trainingTime how long embedding, training and calibrating took
 * @param model the encoder bundle id it was trained on
 */
public record HeadInfo(long version, HeadKind kind, List<String> labels, int examples,
    int calibrationExamples, double temperature, double noveltyThreshold,
    double noveltyEnergyWeight, Duration trainingTime, String model) {}
