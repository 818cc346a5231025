package io.sluice.topology.step;

import io.sluice.inference.InferenceException;
import io.sluice.inference.generate.Generation;
import io.sluice.inference.generate.Generator;
import io.sluice.inference.generate.PromptTooLongException;
import io.sluice.operators.generate.RecordGenerator;
import io.sluice.schemas.ExtractedField;
import io.sluice.schemas.Generated;
import io.sluice.schemas.InferenceResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The generate operator's view of a {@link Generator}: renders each record's fields into the
 * prompt, generates the batch together, and turns each generation into the record's Avro
 * {@code generation}. A prompt that cannot run (too long and not to be cut, or naming a field
 * the record lacks) becomes a dead letter; a model failure is thrown, so the batch is retried.
 */
final class DecoderRecords implements RecordGenerator {

  private final String modelName;
  private final Generator generator;

  DecoderRecords(String modelName, Generator generator) {
    this.modelName = modelName;
    this.generator = generator;
  }

  @Override
  public String modelName() {
    return modelName;
  }

  @Override
  public int countTokens(String text) {
    return generator.model().tokenizer().encode(text).length;
  }

  @Override
  public List<Outcome> generate(List<InferenceResult> records) {
    List<Map<String, String>> fields = new ArrayList<>(records.size());
    for (InferenceResult r : records) {
      fields.add(fieldsOf(r));
    }
    List<Generator.Outcome> outcomes = generator.generateAll(fields);
    List<Outcome> out = new ArrayList<>(outcomes.size());
    for (Generator.Outcome o : outcomes) {
      if (o.succeeded()) {
        out.add(Outcome.of(toAvro(o.generation())));
      } else if (o.failure() instanceof PromptTooLongException
          || !(o.failure() instanceof InferenceException)) {
        // Too long, or the record lacks a field the template names: the record's fault.
        out.add(Outcome.deadLetter(o.failure().getMessage()));
      } else {
        throw o.failure();
      }
    }
    return out;
  }

  /** The values a template's placeholders read from a record. */
  static Map<String, String> fieldsOf(InferenceResult r) {
    Map<String, String> m = new LinkedHashMap<>();
    put(m, "text", r.getText());
    put(m, "source", r.getSource());
    put(m, "device", r.getDeviceId());
    put(m, "eventId", r.getEventId());
    put(m, "label", r.getLabel());
    put(m, "confidence", r.getConfidence() == null ? null
        : String.format(java.util.Locale.ROOT, "%.2f", r.getConfidence()));
    put(m, "novelty", r.getNovelty() == null ? null
        : String.format(java.util.Locale.ROOT, "%.2f", r.getNovelty()));
    if (r.getAttributes() != null) {
      r.getAttributes().forEach((k, v) -> {
        put(m, "payload." + k, v);
        put(m, "attributes." + k, v);
      });
    }
    if (r.getFields() != null) {
      for (ExtractedField f : r.getFields()) {
        m.putIfAbsent("fields." + f.getName(), f.getValue());
      }
    }
    return m;
  }

  private static void put(Map<String, String> m, String key, CharSequence value) {
    if (value != null) {
      m.put(key, value.toString());
    }
  }

  static Generated toAvro(Generation g) {
    return Generated.newBuilder()
        .setPromptId(g.promptId())
        .setPromptVersion(g.promptVersion())
        .setText(g.text())
        .setJson(g.fields().isMissingNode() ? null : g.fields().toString())
        .setConfidence(g.confidence())
        .setFinishReason(g.finishReason().apiName())
        .setPromptTokens(g.promptTokens())
        .setCompletionTokens(g.completionTokens())
        .setValid(g.valid())
        .setTruncated(g.truncated())
        .setFailure(g.failure().orElse(null))
        .build();
  }
}
