package io.sluice.operators.extract;

import java.util.List;

/**
 * What the extract step needs from a model that finds entities: a name and version, a token count
 * to keep batches within budget, and a synchronous batch call. The runtime adapts the inference
 * module's extractors (a head trained on the gateway, or an ONNX token classifier) to this; tests
 * use fakes.
 */
public interface EntityModel {

  String name();

  String version();

  /** Tokens the model reads for {@code text} (after truncation). */
  int countTokens(String text);

  /**
   * The entities of each text, in the same order. Implementations group texts of similar length
   * internally.
   */
  List<ModelFields> extract(List<String> texts);
}
