package io.sluice.operators.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.schemas.ExtractedField;
import io.sluice.schemas.Generated;
import io.sluice.schemas.InferenceResult;
import java.util.Objects;

/** Reads an Avro {@link InferenceResult} for routing expressions; a thin view, nothing copied. */
public final class ResultView implements RecordView {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final InferenceResult result;
  /** The generated JSON, parsed once per view (routing reads several properties). */
  private JsonNode parsedJson;
  private Generated parsedFrom;

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
  public Object generated(String name) {
    Generated g = result.getGeneration();
    if (g == null) {
      return null;
    }
    return switch (name) {
      case "valid" -> g.getValid();
      case "truncated" -> g.getTruncated();
      case "confidence" -> g.getConfidence();
      case "promptTokens" -> (double) g.getPromptTokens();
      case "completionTokens" -> (double) g.getCompletionTokens();
      case "text" -> g.getText();
      case "finishReason" -> g.getFinishReason();
      case "promptId" -> g.getPromptId();
      case "promptVersion" -> g.getPromptVersion();
      default -> jsonProperty(g, name);
    };
  }

  private String jsonProperty(Generated g, String name) {
    if (g.getJson() == null) {
      return null;
    }
    if (parsedJson == null || parsedFrom != g) {
      try {
        parsedJson = JSON.readTree(g.getJson());
      } catch (java.io.IOException e) {
        parsedJson = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
      }
      parsedFrom = g;
    }
    JsonNode value = parsedJson.get(name);
    if (value == null || value.isNull()) {
      return null;
    }
    return value.isValueNode() ? value.asText() : value.toString();
  }

  @Override
  public String toString() {
    return "ResultView[" + result.getEventId() + "]";
  }
}
