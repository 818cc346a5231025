package io.sluice.operators.route;

/**
 * The values a routing expression reads from a record. Every accessor may return null for a value
 * the record does not have, except {@link #restricted()}: a record is restricted or it is not.
 * {@link ResultView#of} adapts the Avro {@code InferenceResult}; tests and other callers may
 * implement this interface directly.
 */
public interface RecordView {

  /** Calibrated probability that the label is right, in [0, 1]. */
  Double confidence();

  /** How unlike anything the gateway has seen. */
  Double novelty();

  /** Whether novelty is past the model's threshold. */
  Boolean novel();

  /** The class label. */
  String label();

  /** Restricted records never leave the gateway. */
  boolean restricted();

  /** Tokens the model read. */
  Integer tokens();

  /** Anomaly score in [0, 1], for sensor records. */
  Double anomalyScore();

  /** Whether the anomaly detector flagged the record. */
  Boolean anomaly();

  /** {@code TEXT} or {@code SENSOR}. */
  String kind();

  /** The name of the source the record came from. */
  String source();

  /** The device id. */
  String device();

  /** The metric of a sensor reading. */
  String metric();

  /** The value of a sensor reading. */
  Double value();

  /** The text of a text record, after redaction. */
  String text();

  /** A further payload field, as text ({@code payload.<name>} and {@code attributes.<name>}). */
  String attribute(String name);

  /** The value of the first extracted field with this name ({@code fields.<name>}). */
  String field(String name);

  /** The lowest confidence among extracted fields with this name. */
  Double fieldConfidence(String name);

  /**
   * A field of the generate step's result ({@code generate.<name>}): {@code valid} and
   * {@code truncated} as Boolean; {@code confidence}, {@code promptTokens} and
   * {@code completionTokens} as Double; {@code text}, {@code finishReason}, {@code promptId} and
   * {@code promptVersion} as String; any other name is that top-level property of the generated
   * JSON, as text (nested values as JSON). Null when the record has no generation.
   */
  default Object generated(String name) {
    return null;
  }

  /**
   * The largest of {@code 1 - confidence}, {@code anomalyScore} and {@code 1} when novel (0 when
   * not novel), over those present; 0 when none is present.
   */
  default double risk() {
    double risk = 0;
    Double confidence = confidence();
    if (confidence != null) {
      risk = Math.max(risk, 1 - confidence);
    }
    Double anomalyScore = anomalyScore();
    if (anomalyScore != null) {
      risk = Math.max(risk, anomalyScore);
    }
    if (Boolean.TRUE.equals(novel())) {
      risk = Math.max(risk, 1);
    }
    return risk;
  }
}
