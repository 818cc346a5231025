package io.sluice.operators.extract;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The extract step's whole work on a batch of texts: pattern and gazetteer fields, entity fields
 * from a model when one is configured, and one summary field that says how sure the extraction
 * is, so a router can forward what the gateway could not read with confidence.
 *
 * <p>The summary field is named {@value #SUMMARY_FIELD}; its confidence is the model's confidence
 * in the whole text (the lowest probability of any word's tag, see {@link ModelFields}) and its
 * value is {@code uncertain} below the threshold, else {@code certain}. Rules read it as
 * {@code fields.extraction == 'uncertain'} or {@code fieldConfidence.extraction < 0.6}; the latter
 * forwards with reason {@code UNCERTAIN_EXTRACTION}. Without a model there is no summary field.
 * A text on which a pattern exceeds its work budget keeps its model fields and loses its pattern
 * fields; {@link Result#patternFailed()} says so.
 */
public final class FieldExtractor {

  /** The name of the summary field. */
  public static final String SUMMARY_FIELD = "extraction";

  private final PatternExtractor patterns;
  private final EntityModel model;
  private final double uncertainBelow;

  /**
   * @param model the entity model, or null for patterns and gazetteers only
   * @param uncertainBelow a text whose model confidence is below this is {@code uncertain}
   */
  public FieldExtractor(PatternExtractor patterns, EntityModel model, double uncertainBelow) {
    this.patterns = Objects.requireNonNull(patterns, "patterns");
    this.model = model;
    if (!(uncertainBelow >= 0 && uncertainBelow <= 1)) {
      throw new IllegalArgumentException("uncertainBelow must be in [0, 1], got "
          + uncertainBelow);
    }
    this.uncertainBelow = uncertainBelow;
    if (model != null && patterns.names().contains(SUMMARY_FIELD)) {
      throw new IllegalArgumentException("a pattern or gazetteer is named '" + SUMMARY_FIELD
          + "', which is the summary field of model extraction; rename it");
    }
  }

  /**
   * The fields of one text.
   *
   * @param fields pattern fields, then model fields
   * @param confidence the model's confidence in the whole text; null without a model
   * @param summary {@code certain} or {@code uncertain}; null without a model
   * @param patternFailed whether a pattern ran out of its work budget on this text
   */
  public record Result(List<Extraction> fields, Double confidence, String summary,
      boolean patternFailed) {}

  /** Whether a model takes part (and texts should be batched for it). */
  public boolean hasModel() {
    return model != null;
  }

  public EntityModel model() {
    return model;
  }

  /** The fields of each text, in input order; one model call for all of them. */
  public List<Result> extract(List<String> texts) {
    List<ModelFields> found = model == null ? null : model.extract(texts);
    if (found != null && found.size() != texts.size()) {
      throw new IllegalStateException("Model " + model.name() + " returned " + found.size()
          + " results for " + texts.size() + " texts");
    }
    List<Result> results = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      List<Extraction> fields = new ArrayList<>();
      boolean failed = false;
      try {
        fields.addAll(patterns.extract(texts.get(i)));
      } catch (ExtractionException e) {
        failed = true;
      }
      Double confidence = null;
      String summary = null;
      if (found != null) {
        ModelFields m = found.get(i);
        fields.addAll(m.fields());
        confidence = m.confidence();
        summary = m.confidence() < uncertainBelow ? "uncertain" : "certain";
      }
      results.add(new Result(List.copyOf(fields), confidence, summary, failed));
    }
    return results;
  }
}
