package io.sluice.operators.infer;

import java.util.List;

/**
 * What the infer operator needs from a model: a name and version for every result, a token count
 * to keep batches within budget, and a synchronous batch call. The topology builder adapts the
 * inference module's classifier to this; tests use fakes.
 */
public interface TextModel {

  String name();

  String version();

  /** Tokens the model reads for {@code text} (after truncation). */
  int countTokens(String text);

  /**
   * Labels, confidences and novelty for a batch of texts, one verdict per text in the same
   * order. Implementations group texts of similar length internally.
   */
  List<TextVerdict> infer(List<String> texts);
}
