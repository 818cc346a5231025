package io.sluice.operators.generate;

import io.sluice.schemas.Generated;
import io.sluice.schemas.InferenceResult;
import java.util.List;

/**
 * What the generate operator asks of a decoder: one outcome per record of a batch. The topology
 * module adapts the inference module's generator to it; tests pass fakes.
 */
public interface RecordGenerator {

  /** The decoder's name in the topology file, for meters and logs. */
  String modelName();

  /** Tokens of {@code text}, to keep the operator's batches within their token budget. */
  int countTokens(String text);

  /**
   * Generates for every record (batched together) and waits; the list has one outcome per
   * record, in order. Throws only for a failure that is not the records' fault (the model
   * broke), so that the batch is tried again rather than lost.
   */
  List<Outcome> generate(List<InferenceResult> records);

  /**
   * A record's result, or the reason it goes to the dead-letter topic (its prompt is too long
   * for the model and may not be cut, or it lacks a field the prompt needs).
   */
  record Outcome(Generated generated, String deadLetterReason) {

    public static Outcome of(Generated generated) {
      return new Outcome(generated, null);
    }

    public static Outcome deadLetter(String reason) {
      return new Outcome(null, reason);
    }
  }
}
