package io.sluice.topology.testing;

import io.sluice.operators.infer.TextModel;
import io.sluice.operators.infer.TextVerdict;
import io.sluice.topology.TextModels;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in model for tests of a whole topology (crash and soak drills): the label is the text's
 * first word, the confidence 0.9, nothing is novel. Fast, deterministic and free of ONNX.
 */
public final class KeywordTextModels {

  private KeywordTextModels() {}

  public static TextModels factory() {
    return (model, classify, baseDir) -> new TextModel() {
      @Override
      public String name() {
        return "first-word";
      }

      @Override
      public String version() {
        return "1";
      }

      @Override
      public int countTokens(String text) {
        return text.split("\\s+").length;
      }

      @Override
      public List<TextVerdict> infer(List<String> texts) {
        List<TextVerdict> out = new ArrayList<>();
        for (String t : texts) {
          out.add(new TextVerdict(t.split("\\s+")[0], 0.9, 0.1, false, countTokens(t)));
        }
        return out;
      }
    };
  }
}
