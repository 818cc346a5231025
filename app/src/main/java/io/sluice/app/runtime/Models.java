package io.sluice.app.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.inference.ClassifierSettings;
import io.sluice.inference.EncoderSettings;
import io.sluice.inference.HeadInfo;
import io.sluice.inference.HeadKind;
import io.sluice.inference.LabelDefinition;
import io.sluice.inference.LabelledText;
import io.sluice.inference.ModelBundle;
import io.sluice.inference.Prediction;
import io.sluice.inference.SessionSettings;
import io.sluice.inference.TextClassifier;
import io.sluice.inference.TextEncoder;
import io.sluice.inference.Ticker;
import io.sluice.inference.TrainingData;
import io.sluice.operators.extract.EntityModel;
import io.sluice.operators.infer.TextModel;
import io.sluice.operators.infer.TextVerdict;
import io.sluice.topology.EntityModels;
import io.sluice.topology.TextModels;
import io.sluice.topology.TopologyError;
import io.sluice.topology.TopologyException;
import io.sluice.topology.spec.Model;
import io.sluice.topology.spec.Step;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's models: loads each bundle once (one encoder, shared by every step that names the
 * same bundle), and for each classify step trains a classifier on its labels and examples; extract
 * steps that name a model get an entity extractor ({@link EntityExtractors}). Owns what it
 * opened; close it after the streams that use it.
 */
public final class Models implements TextModels, EntityModels, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Models.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MeterRegistry registry;
  private final Map<String, TextEncoder> encoders = new LinkedHashMap<>();
  private final List<TextClassifier> classifiers = new ArrayList<>();
  private final Map<String, ClassifierModel> byStep = new LinkedHashMap<>();
  private final EntityExtractors extractors;

  public Models(MeterRegistry registry) {
    this.registry = registry;
    this.extractors = new EntityExtractors(registry, Ticker.system());
  }

  /** An entity model for an extract step: a token classifier, or a head trained or loaded. */
  @Override
  public EntityModel create(Model model, Step.Extract extract, Path baseDir) {
    return extractors.create(model, extract, baseDir);
  }

  @Override
  public synchronized TextModel create(Model model, Step.Classify classify, Path baseDir) {
    TextEncoder encoder = encoders.computeIfAbsent(model.bundle() + "#" + model.threads(),
        key -> open(model, baseDir));
    ClassifierSettings settings = ClassifierSettings.DEFAULT.withHead(headKind(classify.head()));
    TextClassifier classifier = TextClassifier.create(encoder, settings, Ticker.system(),
        registry);
    classifiers.add(classifier);
    TrainingData data = trainingData(classify, baseDir);
    HeadInfo head = classifier.train(data);
    log.info("Model {} ({}): {} head on {} labels from {} examples", model.name(),
        encoder.modelId(), head.kind().id(), head.labels().size(), head.examples());
    ClassifierModel adapter = new ClassifierModel(model.name(), encoder, classifier);
    byStep.put(model.name() + "@" + classify.line(), adapter);
    return adapter;
  }

  /** The classifier models created so far, for learning from cloud feedback. */
  public synchronized List<ClassifierModel> classifierModels() {
    return List.copyOf(byStep.values());
  }

  @Override
  public synchronized void close() {
    extractors.close();
    classifiers.forEach(TextClassifier::close);
    encoders.values().forEach(TextEncoder::close);
    classifiers.clear();
    encoders.clear();
  }

  private TextEncoder open(Model model, Path baseDir) {
    String ref = model.bundle();
    if (!ref.startsWith(ModelBundle.CLASSPATH) && baseDir != null
        && !Path.of(ref).isAbsolute()) {
      ref = baseDir.resolve(ref).toString();
    }
    EncoderSettings settings = EncoderSettings.DEFAULT
        .withSessions(1, SessionSettings.threads(model.threads()));
    return TextEncoder.open(ModelBundle.load(ref), settings, registry);
  }

  private static HeadKind headKind(String head) {
    return switch (head) {
      case "prototype" -> HeadKind.PROTOTYPE;
      case "trained" -> HeadKind.SOFTMAX;
      default -> HeadKind.AUTO;
    };
  }

  private static TrainingData trainingData(Step.Classify classify, Path baseDir) {
    List<LabelDefinition> labels = new ArrayList<>();
    classify.labels().forEach((name, label) ->
        labels.add(new LabelDefinition(name, label.description(), label.examples())));
    List<LabelledText> examples = new ArrayList<>();
    for (LabelDefinition l : labels) {
      examples.addAll(l.asExamples());
    }
    if (classify.examplesFile() != null) {
      examples.addAll(readExamples(classify, baseDir));
    }
    return TrainingData.of(examples);
  }

  /** Reads a JSONL file of {"text": ..., "label": ...}; errors name the file and line. */
  static List<LabelledText> readExamples(Step.Classify classify, Path baseDir) {
    Path file = baseDir == null ? Path.of(classify.examplesFile())
        : baseDir.resolve(classify.examplesFile());
    List<LabelledText> out = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = reader.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode node;
        try {
          node = JSON.readTree(line);
        } catch (IOException e) {
          throw badExample(classify, file, number, "not valid JSON");
        }
        if (!node.path("text").isTextual() || !node.path("label").isTextual()) {
          throw badExample(classify, file, number,
              "expected {\"text\": \"...\", \"label\": \"...\"}");
        }
        out.add(new LabelledText(node.get("text").textValue(), node.get("label").textValue()));
      }
    } catch (IOException e) {
      throw new TopologyException(List.of(new TopologyError(file.toString(), 0, 0,
          "classify.examplesFile", "cannot read the examples file: " + e.getMessage(),
          "the path is relative to the topology file")));
    }
    return out;
  }

  private static TopologyException badExample(Step.Classify classify, Path file, int line,
      String message) {
    return new TopologyException(List.of(new TopologyError(file.toString(), line, 1,
        "classify.examplesFile", message, "one JSON object a line")));
  }

  /** A classifier seen through the infer operator's port, and open to feedback. */
  public static final class ClassifierModel implements TextModel {
    private final String name;
    private final TextEncoder encoder;
    private final TextClassifier classifier;

    ClassifierModel(String name, TextEncoder encoder, TextClassifier classifier) {
      this.name = name;
      this.encoder = encoder;
      this.classifier = classifier;
    }

    @Override
    public String name() {
      return encoder.modelId();
    }

    /** The model name the topology file gave. */
    public String topologyName() {
      return name;
    }

    @Override
    public String version() {
      String bundle = encoder.bundle().manifest().version();
      return bundle + "+head." + classifier.head().map(HeadInfo::version).orElse(0L);
    }

    @Override
    public int countTokens(String text) {
      return encoder.tokenize(text).length();
    }

    @Override
    public List<TextVerdict> infer(List<String> texts) {
      List<Prediction> predictions = classifier.classify(texts);
      List<TextVerdict> out = new ArrayList<>(predictions.size());
      for (Prediction p : predictions) {
        out.add(new TextVerdict(p.label(), p.confidence(), p.novelty(), p.novel(), p.tokens()));
      }
      return out;
    }

    /** Teaches labelled texts in the background; completes when the new head serves. */
    public CompletableFuture<HeadInfo> learn(List<LabelledText> examples) {
      return classifier.learn(examples);
    }

    public TextClassifier classifier() {
      return classifier;
    }
  }
}
