package io.sluice.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.inference.BundleException;
import io.sluice.inference.BundleVerification;
import io.sluice.inference.InferenceException;
import io.sluice.inference.ModelBundle;
import io.sluice.inference.SessionSettings;
import io.sluice.inference.Ticker;
import io.sluice.inference.extract.AnnotatedText;
import io.sluice.inference.extract.Entity;
import io.sluice.inference.extract.EntityCorpus;
import io.sluice.inference.extract.EntityExtractor;
import io.sluice.inference.extract.EntityHead;
import io.sluice.inference.extract.EntityHeadSettings;
import io.sluice.inference.extract.EntityResult;
import io.sluice.inference.extract.EntityTypes;
import io.sluice.inference.extract.TokenClassifier;
import io.sluice.inference.extract.TokenClassifierSettings;
import io.sluice.inference.extract.TrainedEntityExtractor;
import io.sluice.inference.extract.WordEncoder;
import io.sluice.inference.extract.WordEncoderSettings;
import io.sluice.inference.extract.Words;
import io.sluice.operators.extract.EntityModel;
import io.sluice.operators.extract.Extraction;
import io.sluice.operators.extract.ModelFields;
import io.sluice.topology.EntityModels;
import io.sluice.topology.TopologyError;
import io.sluice.topology.TopologyException;
import io.sluice.topology.spec.Model;
import io.sluice.topology.spec.Step;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's entity models for extract steps: an ONNX token classifier, or a head trained on
 * the gateway over an encoder's word states (loaded from the step's {@code headFile} when it holds
 * a head for the same encoder, else trained from {@code trainFile} and saved there). Bundles are
 * checked against the model's trust settings before they run, as for classify steps; an export
 * folder (no manifest to verify) needs {@code allowUnsigned}. How each model's bundle earned trust
 * is kept by topology model name ({@link #verifications()}) for the admin API. Owns what it
 * opened.
 */
final class EntityExtractors implements EntityModels, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EntityExtractors.class);

  private final MeterRegistry registry;
  private final Ticker ticker;
  private final List<EntityExtractor> opened = new ArrayList<>();
  private final Map<Step.Extract, EntityModel> byStep = new IdentityHashMap<>();
  /** How each model's bundle earned trust, by topology model name; the first step's wins. */
  private final Map<String, BundleVerification> trust = new LinkedHashMap<>();

  EntityExtractors(MeterRegistry registry, Ticker ticker) {
    this.registry = registry;
    this.ticker = ticker;
  }

  @Override
  public synchronized EntityModel create(Model model, Step.Extract extract, Path baseDir) {
    String ref = resolve(model.bundle(), baseDir);
    SessionSettings threads = SessionSettings.threads(model.threads());
    EntityExtractor extractor;
    BundleVerification verification;
    try {
      TokenClassifierSettings classifier = TokenClassifierSettings.DEFAULT.withSession(threads);
      boolean tokenClassifier = Step.Extract.TOKEN_CLASSIFIER.equals(extract.modelType());
      if (tokenClassifier && !isBundle(ref)) {
        // An export folder has no manifest to hash or sign: development only, as for classify.
        if (!model.allowUnsigned()) {
          throw new IllegalArgumentException(ref + " is an export folder without bundle.json, so"
              + " it cannot be verified; make it a signed bundle or set allowUnsigned: true"
              + " (development only)");
        }
        log.warn("Model {} runs the unverified export folder {} because allowUnsigned is set",
            model.name(), ref);
        extractor = TokenClassifier.open(ref, classifier, registry);
        verification = BundleVerification.unsignedFolder(extractor.modelId(), ref);
      } else {
        ModelBundle bundle = ModelBundle.load(ref);
        verification = verify(model, bundle, baseDir);
        extractor = tokenClassifier ? TokenClassifier.open(bundle, classifier, registry)
            : trainedHead(model, extract, baseDir, bundle, threads);
      }
    } catch (BundleException e) {
      throw e; // a refused bundle says so itself, as for classify models
    } catch (IllegalArgumentException | InferenceException e) {
      // A model that cannot serve this step as configured (layers it does not have, say).
      throw new TopologyException(List.of(new TopologyError("", extract.line(), 0,
          "extract", "model '" + model.name() + "': " + e.getMessage(), "")));
    }
    opened.add(extractor);
    log.info("Extract model {} ({} {}): types {}", model.name(), extract.modelType(),
        extractor.version(), extractor.entityTypes());
    EntityModel adapted = new Adapter(extractor);
    byStep.put(extract, adapted);
    trust.putIfAbsent(model.name(), verification);
    return adapted;
  }

  /**
   * How the bundle of each model serving an extract step earned trust, by the topology's model
   * name. An export folder run because {@code allowUnsigned} is set is listed as
   * {@link BundleVerification.Trust#UNSIGNED_ALLOWED} with no digest (it has no manifest to hash).
   */
  synchronized Map<String, BundleVerification> verifications() {
    return new LinkedHashMap<>(trust);
  }

  /** The entity model made for this extract step, if one was. */
  synchronized Optional<EntityModel> forStep(Step.Extract extract) {
    return Optional.ofNullable(byStep.get(extract));
  }

  private EntityExtractor trainedHead(Model model, Step.Extract extract, Path baseDir,
      ModelBundle bundle, SessionSettings threads) {
    WordEncoderSettings settings = WordEncoderSettings.DEFAULT.withSession(threads);
    if (!extract.layers().isEmpty()) {
      settings = settings.withLayers(extract.layers());
    }
    WordEncoder encoder = WordEncoder.open(bundle, settings, registry);
    try {
      Path headFile = extract.headFile() == null ? null : path(extract.headFile(), baseDir);
      if (headFile != null && Files.isRegularFile(headFile)) {
        EntityHead head = EntityHead.load(headFile);
        if (head.fits(encoder) && head.level() == extract.level()
            && head.ensemble() == extract.ensemble()) {
          log.info("Extract model {}: loaded the head {}", model.name(), headFile);
          return TrainedEntityExtractor.of(encoder, head);
        }
        log.warn("Extract model {}: the head {} was trained on {} layers {} at level {} with"
            + " {} tagger(s); retraining", model.name(), headFile, head.modelId(), head.layers(),
            head.level(), head.ensemble());
      }
      if (extract.trainFile() == null) {
        throw new IllegalArgumentException("no head at " + headFile + " and no trainFile to "
            + "train one");
      }
      Path trainFile = path(extract.trainFile(), baseDir);
      List<AnnotatedText> texts = EntityCorpus.readMaintie(trainFile);
      Path scheme = trainFile.toAbsolutePath().getParent().resolve("scheme.json");
      List<String> order = Files.isRegularFile(scheme) ? EntityTypes.readScheme(scheme).all()
          : List.of();
      long start = ticker.read();
      TrainedEntityExtractor trained = TrainedEntityExtractor.train(encoder, texts, order,
          EntityHeadSettings.DEFAULT.withLevel(extract.level())
              .withEnsemble(extract.ensemble()));
      log.info("Extract model {}: trained a head on {} texts of {} in {} s", model.name(),
          texts.size(), trainFile, Math.round((ticker.read() - start) / 1e8) / 10.0);
      if (headFile != null) {
        trained.head().save(headFile);
      }
      return trained;
    } catch (RuntimeException e) {
      encoder.close();
      throw e;
    }
  }

  /** Checks the bundle against the model's trust settings, as {@link Models} does for classify. */
  private static BundleVerification verify(Model model, ModelBundle bundle, Path baseDir) {
    BundleVerification verification = bundle.verify(Models.trustPolicy(model, baseDir));
    if (verification.trust() == BundleVerification.Trust.UNSIGNED_ALLOWED) {
      log.warn("Model {} runs the unsigned bundle {} (digest {}) because allowUnsigned is set;"
          + " sign it for production", model.name(), bundle, verification.digest());
    }
    return verification;
  }

  private static boolean isBundle(String ref) {
    return ref.startsWith(ModelBundle.CLASSPATH) || ref.endsWith(ModelBundle.MANIFEST_FILE)
        || Files.exists(Path.of(ref).resolve(ModelBundle.MANIFEST_FILE));
  }

  private static String resolve(String ref, Path baseDir) {
    if (ref.startsWith(ModelBundle.CLASSPATH) || baseDir == null || Path.of(ref).isAbsolute()) {
      return ref;
    }
    return baseDir.resolve(ref).toString();
  }

  private static Path path(String file, Path baseDir) {
    return baseDir == null ? Path.of(file) : baseDir.resolve(file);
  }

  @Override
  public synchronized void close() {
    opened.forEach(EntityExtractor::close);
    opened.clear();
    byStep.clear();
    trust.clear();
  }

  /** An inference-module extractor seen through the extract operator's port. */
  static final class Adapter implements EntityModel {

    private final EntityExtractor extractor;

    Adapter(EntityExtractor extractor) {
      this.extractor = extractor;
    }

    @Override
    public String name() {
      return extractor.modelId();
    }

    @Override
    public String version() {
      return extractor.version();
    }

    @Override
    public int countTokens(String text) {
      return extractor.countTokens(Words.split(text));
    }

    @Override
    public List<ModelFields> extract(List<String> texts) {
      List<ModelFields> out = new ArrayList<>(texts.size());
      for (EntityResult result : extractor.extractTexts(texts)) {
        List<Extraction> fields = new ArrayList<>(result.entities().size());
        for (Entity e : result.entities()) {
          fields.add(new Extraction(fieldName(e.type()), e.text(), e.start(), e.end(),
              e.confidence()));
        }
        out.add(new ModelFields(fields, result.confidence()));
      }
      return out;
    }

    /** {@code State/UndesirableState} becomes {@code State.UndesirableState}. */
    static String fieldName(String type) {
      return type.replace('/', '.');
    }
  }
}
