package io.sluice.topology;

import io.sluice.operators.infer.TextModel;
import io.sluice.operators.infer.TextVerdict;
import io.sluice.topology.spec.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A fake model for topology tests: a text gets the first label whose name or example words it
 * contains (confidence 0.9), else the first label with confidence 0.3; texts containing "zzz"
 * are novel. Records every batch it was given, to test batching.
 */
final class KeywordModel implements TextModel {

  final List<List<String>> batches = new ArrayList<>();
  private final Map<String, Step.Label> labels;

  KeywordModel(Map<String, Step.Label> labels) {
    this.labels = labels;
  }

  static TextModels factory(List<KeywordModel> created) {
    return (model, classify, baseDir) -> {
      KeywordModel m = new KeywordModel(classify.labels());
      created.add(m);
      return m;
    };
  }

  @Override
  public String name() {
    return "keywords";
  }

  @Override
  public String version() {
    return "1";
  }

  @Override
  public int countTokens(String text) {
    return text.split("\\s+").length + 2;
  }

  @Override
  public synchronized List<TextVerdict> infer(List<String> texts) {
    batches.add(List.copyOf(texts));
    List<TextVerdict> out = new ArrayList<>();
    for (String text : texts) {
      String lower = text.toLowerCase(Locale.ROOT);
      String label = null;
      for (Map.Entry<String, Step.Label> e : labels.entrySet()) {
        boolean hit = lower.contains(e.getKey().toLowerCase(Locale.ROOT))
            || e.getValue().examples().stream().anyMatch(x -> lower.contains(x.toLowerCase()));
        if (hit) {
          label = e.getKey();
          break;
        }
      }
      boolean novel = lower.contains("zzz");
      out.add(new TextVerdict(label != null ? label : labels.keySet().iterator().next(),
          label != null ? 0.9 : 0.3, novel ? 0.9 : 0.1, novel, countTokens(text)));
    }
    return out;
  }
}
