package io.sluice.operators.route;

import io.sluice.schemas.ExtractedField;
import io.sluice.schemas.InferenceResult;
import java.util.Objects;

/** Reads an Avro {@link InferenceResult} for routing expressions; a thin view, nothing copied. */
public final class ResultView implements RecordView {

  private final InferenceResult result;

  private ResultView(InferenceResult result) {
    this.result = Objects.requireNonNull(result, "result");
  }

  /** A view of {@code result}; later changes to the record show through. */
  public static ResultView of(InferenceResult result) {
    return new ResultView(result);
  }

  @Override
  public Double confidence() {
    return result.getConfidence();
  }

  @Override
  public Double novelty() {
    return result.getNovelty();
  }

  @Override
  public Boolean novel() {
    return result.getNovel();
  }

  @Override
  public String label() {
    return result.getLabel();
  }

  @Override
  public boolean restricted() {
    return result.getRestricted();
  }

  @Override
  public Integer tokens() {
    return result.getTokens();
  }

  @Override
  public Double anomalyScore() {
    return result.getAnomalyScore();
  }

  @Override
  public Boolean anomaly() {
    return result.getAnomaly();
  }

  @Override
  public String kind() {
    return result.getKind() == null ? null : result.getKind().name();
  }

  @Override
  public String source() {
    return result.getSource();
  }

  @Override
  public String device() {
    return result.getDeviceId();
  }

  @Override
  public String metric() {
    return result.getMetric();
  }

  @Override
  public Double value() {
    return result.getValue();
  }

  @Override
  public String text() {
    return result.getText();
  }

  @Override
  public String attribute(String name) {
    return result.getAttributes() == null ? null : result.getAttributes().get(name);
  }

  @Override
  public String field(String name) {
    if (result.getFields() != null) {
      for (ExtractedField f : result.getFields()) {
        if (name.equals(f.getName())) {
          return f.getValue();
        }
      }
    }
    return null;
  }

  @Override
  public Double fieldConfidence(String name) {
    Double lowest = null;
    if (result.getFields() != null) {
      for (ExtractedField f : result.getFields()) {
        if (name.equals(f.getName()) && (lowest == null || f.getConfidence() < lowest)) {
          lowest = f.getConfidence();
        }
      }
    }
    return lowest;
  }

  @Override
  public String toString() {
    return "ResultView[" + result.getEventId() + "]";
  }
}
