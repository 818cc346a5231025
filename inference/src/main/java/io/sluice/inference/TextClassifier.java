package io.sluice.inference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.inference.internal.EmbeddingCache;
import io.sluice.inference.internal.TextKeys;
import io.sluice.inference.internal.heads.Head;
import io.sluice.inference.internal.heads.HeadCodec;
import io.sluice.inference.internal.heads.HeadTrainer;
import io.sluice.inference.internal.heads.TrainingStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Classifies texts with a head trained on the gateway over a frozen encoder, and says how sure it
 * is ({@link Prediction#confidence()}) and how new the text looks ({@link Prediction#novel()}).
 *
 * <p>Callers. The stream operator calls {@link #classify(List)} synchronously on the batch it
 * flushes; the HTTP API calls {@link #classifyAsync(String)}, which goes through a
 * {@link DynamicBatcher} sharing the same encoder; cloud feedback goes to {@link #learn(List)}.
 *
 * <p>Design. The serving head is an immutable object behind one atomic reference: training and
 * learning build a new head off to the side and swap it in, so classification never blocks on
 * training and never sees half a head. {@link #learn} queues feedback for a single background
 * learner that folds all feedback queued so far into the {@link TrainingStore} (texts with their
 * vectors), retrains and swaps; feedback that arrives during a retraining is picked up by the next
 * one. Encoder outputs are cached by normalized text and model id ({@code cacheSize}), so repeated
 * texts skip the model even after the head changes.
 *
 * <p>Thread-safe. Does not own the encoder: close the encoder after the classifier.
 */
public final class TextClassifier implements AutoCloseable {

  private final TextEncoder encoder;
  private final ClassifierSettings settings;
  private final Ticker ticker;
  private final EmbeddingCache cache;
  private final HeadTrainer trainer;
  private final HeadTrainer softmaxTrainer;
  private final AtomicReference<Serving> serving = new AtomicReference<>();
  private final AtomicLong versions = new AtomicLong();
  private final Object learning = new Object();
  private final ExecutorService learner;
  private final DynamicBatcher<Request, Prediction> batcher;
  private final Counter novelCount;
  private final Timer trainingTimer;
  private TrainingStore store;
  private final List<LabelledText> feedback = new ArrayList<>();
  private CompletableFuture<HeadInfo> nextHead;

  private static final java.util.concurrent.ConcurrentMap<String, AtomicLong> INSTANCES =
      new java.util.concurrent.ConcurrentHashMap<>();

  private record Serving(Head head, HeadInfo info) {}

  private record Request(String text, TokenizedText tokens) {}

  private TextClassifier(TextEncoder encoder, ClassifierSettings settings, Ticker ticker,
      MeterRegistry registry) {
    this.encoder = encoder;
    this.settings = settings;
    this.ticker = ticker;
    String model = encoder.modelId();
    this.cache = new EmbeddingCache(model, TextKeys.forTokenizer(encoder.bundle().tokenizer()),
        settings.cacheSize(), registry);
    this.trainer = new HeadTrainer(settings);
    this.softmaxTrainer = new HeadTrainer(settings.withHead(HeadKind.SOFTMAX));
    this.learner = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "sluice-learner-" + model);
      thread.setDaemon(true);
      return thread;
    });
    // Several classifiers may share one encoder (one per classify step): their gauges need names
    // of their own, or all but the first would be dropped by the registry.
    long instance = INSTANCES.computeIfAbsent(model, m -> new AtomicLong()).incrementAndGet();
    String meterName = instance == 1 ? model : model + "/" + instance;
    this.batcher = new DynamicBatcher<>(meterName, encoder.settings().batching(),
        encoder.settings().sessions(), request -> request.tokens().length(),
        this::classifyRequests, ticker, registry);
    this.novelCount = InferenceMeter.NOVEL.counter(registry, model);
    this.trainingTimer = InferenceMeter.HEAD_TRAINING_TIME.timer(registry, model);
    InferenceMeter.HEAD_VERSION.gauge(registry, meterName, versions::get);
  }

  /** A classifier with no head yet: call {@link #train} or {@link #load} before classifying. */
  public static TextClassifier create(TextEncoder encoder, ClassifierSettings settings,
      Ticker ticker, MeterRegistry registry) {
    return new TextClassifier(encoder, settings, ticker, registry);
  }

  /**
   * Embeds the training data, trains and calibrates a head, and swaps it in; replaces everything
   * taught before.
   */
  public HeadInfo train(TrainingData data) {
    long start = ticker.read();
    TrainingStore newStore = TrainingStore.of(
        entries(data.examples()), entries(data.calibration()), outOfScopeEntries(data));
    synchronized (learning) {
      Head head = trainHead(newStore);
      store = newStore;
      return swap(head, start);
    }
  }

  /**
   * Teaches labelled texts (new labels included) in the background: the returned future
   * completes with the first head that knows them, swapped in without a restart.
   */
  public CompletableFuture<HeadInfo> learn(List<LabelledText> examples) {
    synchronized (learning) {
      if (store == null) {
        return CompletableFuture.failedFuture(new InferenceException("Model '"
            + encoder.modelId() + "': train or load a head before learning from feedback"));
      }
      feedback.addAll(examples);
      if (nextHead == null) {
        nextHead = new CompletableFuture<>();
        learner.execute(this::relearn);
      }
      return nextHead;
    }
  }

  /** Labels each text; one model call per planned batch for the texts not in the cache. */
  public List<Prediction> classify(List<String> texts) {
    Serving current = requireHead();
    List<EmbeddingCache.Entry> embedded = embedCached(texts);
    List<Prediction> predictions = new ArrayList<>(texts.size());
    for (EmbeddingCache.Entry entry : embedded) {
      predictions.add(predict(current, entry.vector(), entry.tokens()));
    }
    return predictions;
  }

  public Prediction classify(String text) {
    return classify(List.of(text)).get(0);
  }

  /** Labels one text through the dynamic batcher, batched with other concurrent callers. */
  public CompletableFuture<Prediction> classifyAsync(String text) {
    try {
      Serving current = requireHead();
      EmbeddingCache.Entry hit = cache.get(text);
      if (hit != null) {
        return CompletableFuture.completedFuture(predict(current, hit.vector(), hit.tokens()));
      }
      return batcher.submit(new Request(text, encoder.tokenize(text)));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The encoder's vectors of the texts, through the result cache. */
  public float[][] embed(List<String> texts) {
    // Copies: the cached arrays are shared and must not be changed by callers.
    return embedCached(texts).stream().map(entry -> entry.vector().clone())
        .toArray(float[][]::new);
  }

  /** The head now serving, if any. */
  public Optional<HeadInfo> head() {
    Serving current = serving.get();
    return current == null ? Optional.empty() : Optional.of(current.info());
  }

  public TextEncoder encoder() {
    return encoder;
  }

  /** Writes the serving head and everything it was taught (atomically replaces the file). */
  public void save(Path file) {
    Serving current = requireHead();
    TrainingStore snapshot;
    synchronized (learning) {
      snapshot = store;
    }
    try {
      Path folder = file.toAbsolutePath().getParent();
      Files.createDirectories(folder);
      Path temporary = Files.createTempFile(folder, file.getFileName().toString(), ".tmp");
      try (OutputStream out = Files.newOutputStream(temporary)) {
        HeadCodec.write(out, encoder.modelId(), current.head(), snapshot);
      }
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new InferenceException("Cannot save the head of model '" + encoder.modelId()
          + "' to " + file + ": " + e.getMessage(), e);
    }
  }

  /** Loads a saved head and what it was taught, and swaps it in. */
  public HeadInfo load(Path file) {
    long start = ticker.read();
    HeadCodec.Saved saved;
    try (InputStream in = Files.newInputStream(file)) {
      saved = HeadCodec.read(in, file.toString());
    } catch (IOException e) {
      throw new InferenceException("Cannot load a head from " + file + ": " + e.getMessage(), e);
    }
    if (!saved.model().equals(encoder.modelId())) {
      throw new InferenceException("The head in " + file + " was trained on model '"
          + saved.model() + "'; this classifier runs '" + encoder.modelId() + "'");
    }
    synchronized (learning) {
      store = saved.store();
      return swap(saved.head(), start);
    }
  }

  @Override
  public void close() {
    batcher.close();
    learner.shutdownNow();
    try {
      learner.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void relearn() {
    long start = ticker.read();
    CompletableFuture<HeadInfo> done;
    List<LabelledText> batch;
    TrainingStore base;
    synchronized (learning) {
      done = nextHead;
      nextHead = null;
      batch = new ArrayList<>(feedback);
      feedback.clear();
      base = store;
    }
    try {
      TrainingStore grown = base.plus(entries(batch));
      Head head = trainHead(grown, learningTrainer());
      synchronized (learning) {
        // Fold in only what this run learned; a concurrent train() or load() wins.
        if (store == base) {
          store = grown;
          done.complete(swap(head, start));
        } else {
          done.completeExceptionally(new InferenceException("Model '" + encoder.modelId()
              + "': the head was replaced while learning; teach the feedback again"));
        }
      }
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
    }
  }

  private Head trainHead(TrainingStore data) {
    return trainHead(data, trainer);
  }

  /**
   * The trainer for learning from feedback. With {@link HeadKind#AUTO}, a label that feedback has
   * just introduced has only a few examples, which alone would turn a softmax head over hundreds
   * of well-taught examples into prototypes (on CLINC150, 96.5% accuracy on the known intents
   * fell to 91.7% after three examples of each new intent); so a serving softmax head stays
   * softmax. A prototype head still becomes softmax once every label has enough examples.
   */
  private HeadTrainer learningTrainer() {
    Serving current = serving.get();
    boolean softmax = current != null && current.head().kind() == HeadKind.SOFTMAX;
    return settings.head() == HeadKind.AUTO && softmax ? softmaxTrainer : trainer;
  }

  private Head trainHead(TrainingStore data, HeadTrainer trainer) {
    return trainer.train(data.labels(), data.trainingExamples(),
        data.calibrationCoversLabels() ? data.calibrationExamples() : null,
        data.outOfScopeVectors(), new SplittableRandom(settings.seed() + versions.get()));
  }

  private HeadInfo swap(Head head, long start) {
    long version = versions.incrementAndGet();
    Duration took = Duration.ofNanos(ticker.read() - start);
    HeadInfo info = new HeadInfo(version, head.kind(), head.labels(), head.examples(),
        head.calibrationExamples(), head.temperature(), head.novelty().thresholdPercentile(),
        head.novelty().alpha(), took, encoder.modelId());
    serving.set(new Serving(head, info));
    trainingTimer.record(took);
    return info;
  }

  private Serving requireHead() {
    Serving current = serving.get();
    if (current == null) {
      throw new InferenceException("Model '" + encoder.modelId() + "' has no head yet: train "
          + "or load one before classifying");
    }
    return current;
  }

  private Prediction predict(Serving current, float[] vector, int tokens) {
    Head.Scores scores = current.head().score(vector);
    if (scores.novel()) {
      novelCount.increment();
    }
    BundleManifest manifest = encoder.bundle().manifest();
    List<String> labels = current.head().labels();
    List<Prediction.Candidate> candidates = new ArrayList<>(scores.top().length);
    for (int i = 0; i < scores.top().length; i++) {
      candidates.add(new Prediction.Candidate(labels.get(scores.top()[i]),
          scores.topConfidence()[i]));
    }
    return new Prediction(labels.get(scores.label()), scores.confidence(),
        scores.novelty(), scores.novel(), tokens, manifest.name(), manifest.version(),
        current.info().version(), candidates);
  }

  private List<Prediction> classifyRequests(List<Request> requests) {
    Serving current = requireHead();
    List<TokenizedText> tokens = requests.stream().map(Request::tokens).toList();
    float[][] vectors = encoder.runBatch(tokens);
    List<Prediction> predictions = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      cache.put(requests.get(i).text(), new EmbeddingCache.Entry(vectors[i], tokens.get(i)
          .length()));
      predictions.add(predict(current, vectors[i], tokens.get(i).length()));
    }
    return predictions;
  }

  private List<EmbeddingCache.Entry> embedCached(List<String> texts) {
    EmbeddingCache.Entry[] result = new EmbeddingCache.Entry[texts.size()];
    List<Integer> missing = new ArrayList<>();
    List<String> missingTexts = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      result[i] = cache.get(texts.get(i));
      if (result[i] == null) {
        missing.add(i);
        missingTexts.add(texts.get(i));
      }
    }
    if (!missing.isEmpty()) {
      List<TokenizedText> tokens = encoder.tokenize(missingTexts);
      float[][] vectors = encoder.embedTokenized(tokens);
      for (int j = 0; j < missing.size(); j++) {
        EmbeddingCache.Entry entry = new EmbeddingCache.Entry(vectors[j], tokens.get(j).length());
        cache.put(missingTexts.get(j), entry);
        result[missing.get(j)] = entry;
      }
    }
    return List.of(result);
  }

  private List<TrainingStore.Entry> entries(List<LabelledText> examples) {
    float[][] vectors = encoder.embed(examples.stream().map(LabelledText::text).toList());
    List<TrainingStore.Entry> entries = new ArrayList<>(examples.size());
    for (int i = 0; i < examples.size(); i++) {
      entries.add(new TrainingStore.Entry(examples.get(i).text(), examples.get(i).label(),
          vectors[i]));
    }
    return entries;
  }

  private List<TrainingStore.Entry> outOfScopeEntries(TrainingData data) {
    float[][] vectors = encoder.embed(data.outOfScope());
    List<TrainingStore.Entry> entries = new ArrayList<>(vectors.length);
    for (int i = 0; i < vectors.length; i++) {
      entries.add(new TrainingStore.Entry(data.outOfScope().get(i), null, vectors[i]));
    }
    return entries;
  }
}
