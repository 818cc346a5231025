package io.sluice.inference.extract;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds typed entities in texts: a head trained on the gateway over frozen word states
 * ({@link TrainedEntityExtractor}) or an ONNX token-classification model ({@link TokenClassifier}).
 * Implementations batch model calls over the texts of one call themselves and are thread-safe.
 */
public interface EntityExtractor extends AutoCloseable {

  /** The model's identity, {@code name@version}, for results and meters. */
  String modelId();

  /** The version of what extracts: the bundle's version, plus the head's when one was trained. */
  String version();

  /** The entity types this extractor reports. */
  List<String> entityTypes();

  /** Sub-tokens the model reads for these words (after truncation), to size batches. */
  int countTokens(Words words);

  /** The entities of each text, in input order. */
  List<EntityResult> extract(List<Words> texts);

  /** Splits each text at whitespace and extracts; entity offsets point into the given texts. */
  default List<EntityResult> extractTexts(List<String> texts) {
    List<Words> words = new ArrayList<>(texts.size());
    for (String text : texts) {
      words.add(Words.split(text));
    }
    return extract(words);
  }

  @Override
  void close();
}
