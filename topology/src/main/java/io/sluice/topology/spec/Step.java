package io.sluice.topology.spec;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One operator of a pipeline, as written in the topology file. The built-in kinds are the records
 * below; each kind is registered with its YAML shape and operator in {@link
 * io.sluice.topology.step.StepKinds}.
 */
public interface Step {

  /** Line of the step in the file, for errors found after loading. */
  int line();

  /** Which kind of step, as written in YAML. */
  String kind();

  /** Replaces matches of patterns by {@code [NAME]} in the text and the payload. */
  record Redact(List<String> patterns, Map<String, String> custom, int line) implements Step {
    @Override
    public String kind() {
      return "redact";
    }
  }

  /**
   * Labels a text with a model.
   *
   * @param model name of a model declared under {@code models}
   * @param labels label name to its description and examples
   * @param examplesFile JSONL file of {"text": ..., "label": ...}, relative to the topology file
   * @param head {@code auto}, {@code prototype} or {@code trained}
   */
  record Classify(String model, Map<String, Label> labels, String examplesFile, String head,
      int line) implements Step {
    @Override
    public String kind() {
      return "classify";
    }
  }

  /** A label: what it means, and texts that belong to it. */
  record Label(String description, List<String> examples) {}

  /**
   * Extracts fields with patterns and gazetteers, and entities with a model.
   *
   * @param model name of a model declared under {@code models}, or null for patterns only
   * @param modelType {@code trained-head} (a head trained on the gateway over the model's word
   *     states, from {@code trainFile}) or {@code token-classifier} (the model is an ONNX token
   *     classifier)
   * @param trainFile MaintIE-format JSON of labelled texts, relative to the topology file
   * @param headFile where a trained head is kept, relative to the topology file: loaded when it
   *     exists, else trained and saved there; null to train at every start
   * @param level the type hierarchy level entities are typed at (1 = top classes)
   * @param layers the encoder layers whose word states a trained head averages (empty = the
   *     default)
   * @param ensemble taggers a trained head averages, trained from consecutive seeds
   * @param uncertainBelow a text whose model confidence is below this gets the summary field
   *     {@code extraction = uncertain}
   */
  record Extract(List<String> patterns, Map<String, String> custom,
      Map<String, List<String>> gazetteers, String model, String modelType, String trainFile,
      String headFile, int level, List<Integer> layers, int ensemble, double uncertainBelow,
      int line)
      implements Step {

    public Extract {
      layers = List.copyOf(layers);
    }

    public static final String TRAINED_HEAD = "trained-head";
    public static final String TOKEN_CLASSIFIER = "token-classifier";

    @Override
    public String kind() {
      return "extract";
    }
  }

  /** Scores how unlike known examples a text is; the threshold comes from the examples. */
  record Novelty(String model, int line) implements Step {
    @Override
    public String kind() {
      return "novelty";
    }
  }

  /**
   * Per device and metric windows over sensor readings, with an anomaly score.
   *
   * @param size window length
   * @param method detector method
   * @param threshold score above which a reading is flagged, or null for the detector's default
   */
  record Window(Duration size, String method, Double threshold, int line) implements Step {
    @Override
    public String kind() {
      return "window";
    }
  }
}
