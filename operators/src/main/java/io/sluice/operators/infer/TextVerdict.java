package io.sluice.operators.infer;

import java.util.List;

/**
 * What a model made of one text.
 *
 * @param label best label, null if the model has no labels
 * @param confidence calibrated probability that the label is right
 * @param novelty how unlike the known examples the text is
 * @param novel whether novelty is past the model's threshold
 * @param tokens tokens read
 * @param candidates the most likely labels, best first, with their probabilities (up to three;
 *     empty when the model gives none)
 */
public record TextVerdict(String label, double confidence, double novelty, boolean novel,
    int tokens, List<Candidate> candidates) {

  public TextVerdict {
    candidates = List.copyOf(candidates);
  }

  /** A verdict without runners-up. */
  public TextVerdict(String label, double confidence, double novelty, boolean novel,
      int tokens) {
    this(label, confidence, novelty, novel, tokens, List.of());
  }

  /** A label and its probability. */
  public record Candidate(String label, double confidence) {}
}
