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

  /**
   * Runs a decoder (a small language model) over each text: free text, one label of a set, or
   * JSON that conforms to a schema.
   *
   * @param model name of a decoder model declared under {@code models}
   * @param prompt the versioned prompt template, filled from the record's fields
   * @param labels when not empty, the output is one of these (label scoring)
   * @param schema when not null, the output is JSON conforming to this JSON Schema (constrained
   *     decoding), as compact JSON text
   * @param stop free text ends before the first of these
   * @param maxNewTokens at most this many generated tokens per record
   * @param deadline a record's generation gives up after this long (finish reason
   *     {@code deadline}); null for none
   * @param tooLong {@code truncate} (cut the longest field, flag the result) or {@code dlq}
   * @param temperature 0 for greedy decoding, else sampling with {@code topP} and {@code seed}
   */
  record Generate(String model, Prompt prompt, List<String> labels, String schema,
      List<String> stop, int maxNewTokens, Duration deadline, String tooLong, double temperature,
      double topP, long seed, int line) implements Step {

    public static final String TRUNCATE = "truncate";
    public static final String DEAD_LETTER = "dlq";

    public Generate {
      labels = List.copyOf(labels);
      stop = List.copyOf(stop);
    }

    @Override
    public String kind() {
      return "generate";
    }
  }

  /**
   * A versioned prompt template with {@code {{field}}} placeholders.
   *
   * @param id names the prompt in results
   * @param version changes whenever the template does
   * @param template the text; what comes before the first placeholder is computed once per model
   */
  record Prompt(String id, String version, String template) {}

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
