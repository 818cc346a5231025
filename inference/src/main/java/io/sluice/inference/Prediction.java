package io.sluice.inference;

/**
 * What the classifier says about one text; routing rules read {@code confidence} and
 * {@code novel}.
 *
 * @param label the most likely label
 * @param confidence calibrated probability that {@code label} is right, in [0, 1]
 * @param novelty share of known (in-scope) texts that look less novel than this one, in [0, 1]
 * @param novel whether the text is beyond the novelty threshold derived from data
 * @param tokens the text's token count (after truncation, special tokens included)
 * @param model the encoder bundle's name
 * @param modelVersion the encoder bundle's version
 * @param headVersion the version of the head that answered (rises with every retraining)
 * @param candidates the most likely labels (up to three, best first) with their probabilities,
 *     for people reviewing the record
 */
public record Prediction(String label, double confidence, double novelty, boolean novel,
    int tokens, String model, String modelVersion, long headVersion,
    java.util.List<Candidate> candidates) {

  public Prediction {
    candidates = java.util.List.copyOf(candidates);
  }

  /** A prediction whose only candidate is its label. */
  public Prediction(String label, double confidence, double novelty, boolean novel, int tokens,
      String model, String modelVersion, long headVersion) {
    this(label, confidence, novelty, novel, tokens, model, modelVersion, headVersion,
        java.util.List.of(new Candidate(label, confidence)));
  }

  /** A label and its probability. */
  public record Candidate(String label, double confidence) {}
}
