package io.sluice.operators.infer;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.LabelCandidate;
import io.sluice.schemas.ModelRef;
import io.sluice.schemas.PipelineRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * The batched, crash-safe infer operator: labels, confidences and novelty for text records,
 * buffered in a logged store and flushed in batches as {@link BatchingProcessor} describes.
 */
public final class InferProcessor extends BatchingProcessor {

  private final InferSettings settings;
  private final TextModel model;

  public InferProcessor(String pipeline, InferSettings settings, TextModel model,
      MeterRegistry registry) {
    super(pipeline, "infer", new Flush(settings.storeName(), settings.maxBatch(),
        settings.maxTokens(), settings.maxWait()), registry);
    this.settings = settings;
    this.model = model;
  }

  @Override
  protected String modelName() {
    return model.name();
  }

  @Override
  protected int countTokens(String text) {
    return model.countTokens(text);
  }

  @Override
  protected void apply(List<PipelineRecord> records) {
    List<String> texts = new ArrayList<>(records.size());
    for (PipelineRecord record : records) {
      texts.add(record.getResult().getText());
    }
    List<TextVerdict> verdicts = model.infer(texts);
    if (verdicts.size() != texts.size()) {
      throw new IllegalStateException("Model " + model.name() + " returned " + verdicts.size()
          + " verdicts for " + texts.size() + " texts");
    }
    ModelRef ref = new ModelRef(model.name(), model.version());
    for (int i = 0; i < records.size(); i++) {
      TextVerdict verdict = verdicts.get(i);
      InferenceResult result = records.get(i).getResult();
      if (settings.classify()) {
        result.setLabel(verdict.label());
        result.setConfidence(verdict.confidence());
        if (!verdict.candidates().isEmpty()) {
          List<LabelCandidate> candidates = new ArrayList<>(verdict.candidates().size());
          verdict.candidates().forEach(c -> candidates.add(
              new LabelCandidate(c.label(), c.confidence())));
          result.setCandidates(candidates);
        }
      }
      if (settings.novelty()) {
        result.setNovelty(verdict.novelty());
        result.setNovel(verdict.novel());
      }
      result.setTokens(verdict.tokens());
      result.setModel(ref);
    }
  }
}
