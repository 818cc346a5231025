package io.sluice.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.inference.BundleKeys;
import io.sluice.inference.BundleVerification;
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
import io.sluice.inference.TrustPolicy;
import io.sluice.inference.TrustedKey;
import io.sluice.operators.extract.EntityModel;
import io.sluice.operators.infer.TextModel;
import io.sluice.operators.infer.TextVerdict;
import io.sluice.runtime.resolve.OpenAiResolver;
import io.sluice.runtime.resolve.internal.ResolverPrompt;
import io.sluice.runtime.rollout.RolloutModel;
import io.sluice.runtime.rollout.RolloutPolicy;
import io.sluice.topology.Decoders;
import io.sluice.topology.EntityModels;
import io.sluice.topology.TextModels;
import io.sluice.topology.TopologyError;
import io.sluice.topology.TopologyException;
import io.sluice.topology.spec.Model;
import io.sluice.topology.spec.OpenAiModel;
import io.sluice.topology.spec.Step;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's models: loads each bundle once (one encoder, shared by every step that names the
 * same bundle), checks it against the model's trust settings ({@code digest}, {@code trustedKeys},
 * {@code allowUnsigned}) before it runs, and for each classify step trains a classifier on its
 * labels and examples; extract steps that name a model get an entity extractor
 * ({@link EntityExtractors}, which opens its own bundles and checks them against the same trust
 * settings). Owns what it opened; close it after the streams that use it.
 */
public final class Models implements TextModels, EntityModels, Decoders, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Models.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MeterRegistry registry;
  private final Map<String, TextEncoder> encoders = new LinkedHashMap<>();
  private final Map<Step.Classify, RolloutModel> byStep = new java.util.IdentityHashMap<>();
  private final Map<Step.Classify, Path> baseDirs = new java.util.IdentityHashMap<>();
  private final Map<RolloutModel, List<LabelledText>> taught = new java.util.IdentityHashMap<>();
  /** How each loaded encoder's bundle earned trust (checked before it first ran). */
  private final Map<TextEncoder, BundleVerification> trust = new java.util.IdentityHashMap<>();
  private final EntityExtractors extractors;
  private final DecoderModels decoders =
      new DecoderModels(io.sluice.inference.generate.EngineSettings.defaults());
  private final Clock clock;
  private final Ticker ticker;
  private final List<OpenAiResolver> resolvers = new ArrayList<>();

  /** Models on the system clock and ticker. */
  public Models(MeterRegistry registry) {
    this(registry, Clock.systemUTC(), Ticker.system());
  }

  /**
   * @param clock stamps rollout events
   * @param ticker times model calls, result-cache ages and rollout windows
   */
  public Models(MeterRegistry registry, Clock clock, Ticker ticker) {
    this.registry = registry;
    this.clock = clock;
    this.ticker = ticker;
    this.extractors = new EntityExtractors(registry, ticker);
  }

  /** An entity model for an extract step: a token classifier, or a head trained or loaded. */
  @Override
  public EntityModel create(Model model, Step.Extract extract, Path baseDir) {
    return extractors.create(model, extract, baseDir);
  }

  /** The shared engine of a generate step's decoder, opened (and trust-checked) once. */
  @Override
  public io.sluice.inference.generate.GenerationEngine engine(Model model, Path baseDir) {
    return decoders.engine(model, baseDir);
  }

  /** The decoders generate steps opened, with their shared engines. */
  public DecoderModels decoders() {
    return decoders;
  }

  /** The entity model made for this extract step, if it names one. */
  public java.util.Optional<EntityModel> forStep(Step.Extract extract) {
    return extractors.forStep(extract);
  }

  /**
   * The resolver of a Cloud topology's {@code resolve.classify} on a model of kind openai: the
   * step's labels with their descriptions, and examples from the labels and the examples file.
   */
  @Override
  public synchronized io.sluice.operators.cloud.Resolver resolver(Model model,
      Step.Classify classify, Path baseDir) {
    OpenAiModel api = model.openai().orElseThrow(() -> new IllegalArgumentException(
        "model " + model.name() + " is not of kind openai"));
    Map<String, List<String>> examples = new LinkedHashMap<>();
    Map<String, String> descriptions = new LinkedHashMap<>();
    classify.labels().forEach((name, label) -> {
      descriptions.put(name, label.description());
      examples.computeIfAbsent(name, k -> new ArrayList<>()).addAll(label.examples());
    });
    if (classify.examplesFile() != null) {
      for (LabelledText t : readExamples(classify, baseDir)) {
        examples.computeIfAbsent(t.label(), k -> new ArrayList<>()).add(t.text());
      }
    }
    List<ResolverPrompt.Label> labels = new ArrayList<>();
    examples.forEach((name, texts) -> labels.add(
        new ResolverPrompt.Label(name, descriptions.get(name), texts)));
    OpenAiResolver resolver = new OpenAiResolver(model.name(), api, labels, registry, clock,
        new java.util.Random());
    resolvers.add(resolver);
    return resolver;
  }

  /** The resolvers this runtime opened, for {@code /health}. */
  public synchronized List<OpenAiResolver> resolvers() {
    return List.copyOf(resolvers);
  }

  @Override
  public synchronized TextModel create(Model model, Step.Classify classify, Path baseDir) {
    ClassifierModel first = train(model, classify, baseDir);
    RolloutModel slot = new RolloutModel(model.name(),
        new RolloutModel.Version(first, first.classifier()), clock, ticker);
    byStep.put(classify, slot);
    baseDirs.put(classify, baseDir);
    return slot;
  }

  private ClassifierModel train(Model model, Step.Classify classify, Path baseDir) {
    String key = model.bundle() + "#" + model.threads();
    TextEncoder encoder = encoders.get(key);
    if (encoder == null) {
      encoder = open(model, baseDir);
      encoders.put(key, encoder);
    } else {
      verify(model, encoder.bundle(), baseDir);
    }
    ClassifierSettings settings = ClassifierSettings.DEFAULT.withHead(headKind(classify.head()));
    TextClassifier classifier = TextClassifier.create(encoder, settings, ticker, registry);
    TrainingData data = trainingData(classify, baseDir);
    HeadInfo head = classifier.train(data);
    log.info("Model {} ({}): {} head on {} labels from {} examples", model.name(),
        encoder.modelId(), head.kind().id(), head.labels().size(), head.examples());
    return new ClassifierModel(model.name(), encoder, classifier);
  }

  /**
   * How the bundle of each model now serving earned trust, by the topology's model name: those of
   * classify steps (after a promotion, the promoted bundle's), then those only extract steps use.
   * An export folder an extract step runs because {@code allowUnsigned} is set has no digest.
   */
  public synchronized Map<String, BundleVerification> verifications() {
    Map<String, BundleVerification> out = new LinkedHashMap<>();
    for (RolloutModel slot : byStep.values()) {
      verification(slot.serving()).ifPresent(v -> out.putIfAbsent(slot.topologyName(), v));
    }
    extractors.verifications().forEach(out::putIfAbsent);
    decoders.verifications().forEach(out::putIfAbsent);
    return out;
  }

  /** How the bundle of a model (serving or candidate) earned trust, if it is one of ours. */
  public synchronized java.util.Optional<BundleVerification> verification(TextModel model) {
    return model instanceof ClassifierModel m
        ? java.util.Optional.ofNullable(trust.get(m.classifier().encoder()))
        : java.util.Optional.empty();
  }

  /** The model slots of classify steps, each open to a rollout. */
  public synchronized List<RolloutModel> slots() {
    return List.copyOf(byStep.values());
  }

  /** The model slot made for this classify step, if one was. */
  public synchronized java.util.Optional<RolloutModel> forStep(Step.Classify classify) {
    return java.util.Optional.ofNullable(byStep.get(classify));
  }

  /**
   * Rolls out {@code bundle} to every classify step that uses the topology model {@code name}:
   * trains a candidate on the same labels and examples, then shadows it on live traffic; the
   * slot promotes or rolls it back by {@code policy}. Returns the slots that started a rollout.
   */
  public List<RolloutModel> rollout(String name, Model current, String bundle,
      RolloutPolicy policy) {
    List<Map.Entry<Step.Classify, RolloutModel>> targets;
    synchronized (this) {
      targets = byStep.entrySet().stream()
          .filter(e -> e.getValue().topologyName().equals(name)).toList();
    }
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("No classify step uses a model named '" + name + "'");
    }
    // The candidate must pass the model's trusted keys (or allowUnsigned); a digest pin names
    // the bundle in the file, so it does not apply to a new one.
    Model candidateModel = new Model(name, bundle, current.threads(), java.util.Optional.empty(),
        current.trustedKeys(), current.allowUnsigned(), current.rollout());
    List<RolloutModel> started = new ArrayList<>();
    for (Map.Entry<Step.Classify, RolloutModel> e : targets) {
      ClassifierModel candidate;
      List<LabelledText> feedback;
      synchronized (this) {
        candidate = train(candidateModel, e.getKey(), baseDirs.get(e.getKey()));
        feedback = List.copyOf(taught.getOrDefault(e.getValue(), List.of()));
      }
      if (!feedback.isEmpty()) {
        candidate.learn(feedback).join();
      }
      e.getValue().propose(new RolloutModel.Version(candidate, candidate.classifier()), policy);
      started.add(e.getValue());
    }
    return started;
  }

  /**
   * Teaches feedback to the classifier serving in a slot, and to a candidate shadowing there, so
   * that a promotion keeps what was learned. Everything taught is remembered per slot and taught
   * to the next candidate when its rollout starts.
   */
  public CompletableFuture<HeadInfo> learn(RolloutModel slot, List<LabelledText> examples) {
    synchronized (this) {
      taught.computeIfAbsent(slot, s -> new ArrayList<>()).addAll(examples);
    }
    slot.candidate().filter(ClassifierModel.class::isInstance)
        .map(ClassifierModel.class::cast).ifPresent(c -> c.learn(examples));
    if (slot.serving() instanceof ClassifierModel m) {
      return m.learn(examples);
    }
    return CompletableFuture.failedFuture(new IllegalStateException("Model '"
        + slot.topologyName() + "' cannot learn"));
  }

  @Override
  public synchronized void close() {
    resolvers.forEach(OpenAiResolver::close);
    resolvers.clear();
    extractors.close();
    decoders.close();
    for (RolloutModel slot : byStep.values()) {
      if (slot.serving() instanceof ClassifierModel m) {
        m.classifier().close();
      }
      slot.abandonRollout();
    }
    encoders.values().forEach(TextEncoder::close);
    byStep.clear();
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
    ModelBundle bundle = ModelBundle.load(ref);
    BundleVerification verification = verify(model, bundle, baseDir);
    TextEncoder encoder = TextEncoder.open(bundle, settings, registry);
    trust.put(encoder, verification);
    return encoder;
  }

  /**
   * The trust policy a declared model's bundles must pass: its digest pin, its trusted keys
   * (paths relative to {@code baseDir}) and whether unsigned bundles are allowed.
   */
  public static TrustPolicy trustPolicy(Model model, Path baseDir) {
    List<TrustedKey> keys = model.trustedKeys().stream()
        .map(k -> BundleKeys.trustedKey(k, baseDir)).toList();
    return new TrustPolicy(keys, model.digest(), model.allowUnsigned());
  }

  /** Checks the bundle against the model's trust settings before anything runs it. */
  private BundleVerification verify(Model model, ModelBundle bundle, Path baseDir) {
    BundleVerification verification = bundle.verify(trustPolicy(model, baseDir));
    if (verification.trust() == BundleVerification.Trust.UNSIGNED_ALLOWED) {
      log.warn("Model {} runs the unsigned bundle {} (digest {}) because allowUnsigned is set;"
          + " sign it for production", model.name(), bundle, verification.digest());
    }
    return verification;
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

    /** The bundle's name, e.g. all-minilm-l6-v2-q; {@link #version()} adds its version. */
    @Override
    public String name() {
      return encoder.bundle().manifest().name();
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
        out.add(new TextVerdict(p.label(), p.confidence(), p.novelty(), p.novel(), p.tokens(),
            p.candidates().stream().map(c -> new TextVerdict.Candidate(c.label(),
                c.confidence())).toList()));
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
