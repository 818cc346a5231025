package io.sluice.lab.jmh;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import io.sluice.lab.bench.EmbeddingBaseline;
import java.util.List;

/**
 * langchain4j's in-process int8 all-MiniLM-L6-v2, called the way its documentation shows:
 * {@code new AllMiniLmL6V2QuantizedEmbeddingModel().embedAll(segments)}. Same model file as
 * Sluice's default bundle, so the comparison is about batching and runtime, not the model.
 */
public final class Langchain4jMiniLmBaseline implements EmbeddingBaseline {

  private AllMiniLmL6V2QuantizedEmbeddingModel model;

  @Override
  public String name() {
    return "langchain4j AllMiniLmL6V2QuantizedEmbeddingModel.embedAll (0.36.2)";
  }

  @Override
  public void open() {
    model = new AllMiniLmL6V2QuantizedEmbeddingModel();
  }

  @Override
  public List<float[]> embedAll(List<String> texts) {
    List<TextSegment> segments = texts.stream().map(TextSegment::from).toList();
    return model.embedAll(segments).content().stream().map(Embedding::vector).toList();
  }
}
