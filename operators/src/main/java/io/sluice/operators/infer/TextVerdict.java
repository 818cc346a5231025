package io.sluice.operators.infer;

/**
 * What a model made of one text.
 *
 * @param label best label, null if the model has no labels
 * @param confidence calibrated probability that the label is right
 * @param novelty how unlike the known examples the text is
 * @param novel whether novelty is past the model's threshold
 * @param tokens tokens read
 */
public record TextVerdict(String label, double confidence, double novelty, boolean novel,
    int tokens) {}
