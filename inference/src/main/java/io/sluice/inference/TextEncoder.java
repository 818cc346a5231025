package io.sluice.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.inference.internal.NoMeters;
import io.sluice.inference.internal.onnx.QuantizationRewriter;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Texts in, sentence vectors out: an encoder bundle's tokenizer and model, pooled and normalized
 * as the manifest says.
 *
 * <p>Design. {@link #embed} tokenizes, lets a {@link BatchPlanner} group texts of similar length
 * into model calls within the batch limits, runs them and returns vectors in input order. Each
 * model call borrows one of {@code sessions} ONNX Runtime sessions from a pool, so concurrent
 * callers (the dynamic batcher, the stream operator, an evaluation) share the model safely; with
 * more than one session a single {@code embed} spreads its calls over them. Where the manifest
 * carries calibrated activation ranges, the model's dynamic quantizers are rewritten to static
 * ones at load ({@link EncoderSettings#staticQuantization()}), which makes every vector
 * independent of its batch-mates. Meters: {@link InferenceMeter#BATCH_SIZE},
 * {@link InferenceMeter#BATCH_TOKENS}, {@link InferenceMeter#PADDING_RATIO},
 * {@link InferenceMeter#INFERENCE_TIME}, {@link InferenceMeter#TEXTS}, and the tokenizer's
 * {@link InferenceMeter#TRUNCATIONS}.
 */
public final class TextEncoder implements AutoCloseable {

  private final ModelBundle bundle;
  private final EncoderSettings settings;
  private final TextTokenizer tokenizer;
  private final List<OnnxSession> allSessions;
  private final BlockingQueue<OnnxSession> idleSessions;
  private final ExecutorService parallel;
  private final BatchPlanner planner;
  private final boolean batchInvariant;
  private final BundleManifest.Tensors tensors;
  private final boolean hasTokenTypes;
  private final int dimension;
  private final Timer inferenceTime;
  private final DistributionSummary batchSize;
  private final DistributionSummary batchTokens;
  private final DistributionSummary paddingRatio;
  private final Counter texts;
  private final MeterRegistry registry;
  private final AtomicBoolean closed = new AtomicBoolean();

  private TextEncoder(ModelBundle bundle, EncoderSettings settings, MeterRegistry registry) {
    BundleManifest manifest = bundle.manifest();
    if (manifest.task() != ModelTask.ENCODER) {
      throw new InferenceException("Bundle " + bundle + " is a " + manifest.task().id()
          + " model; a text encoder needs task encoder");
    }
    this.bundle = bundle;
    this.settings = settings;
    this.tensors = manifest.tensorsOrDefault();
    this.dimension = manifest.dimension();
    this.planner = new BatchPlanner(settings.batching());
    BundleManifest.Quantization quantization = manifest.quantization();
    this.batchInvariant = settings.staticQuantization() && quantization != null
        && quantization.isStatic();
    byte[] model = bundle.model();
    if (batchInvariant) {
      model = QuantizationRewriter.toStaticQuantization(model, quantization.ranges());
    }
    String id = bundle.id();
    this.tokenizer = TextTokenizer.open(bundle, registry);
    this.allSessions = new ArrayList<>();
    this.idleSessions = new ArrayBlockingQueue<>(settings.sessions());
    try {
      for (int i = 0; i < settings.sessions(); i++) {
        OnnxSession session = OnnxSession.open(id, model, settings.session());
        allSessions.add(session);
        idleSessions.add(session);
      }
    } catch (RuntimeException e) {
      allSessions.forEach(OnnxSession::close);
      tokenizer.close();
      throw e;
    }
    Set<String> inputs = allSessions.get(0).inputNames();
    this.hasTokenTypes = tensors.tokenTypeIds() != null && inputs.contains(tensors.tokenTypeIds());
    for (String required : new String[] {tensors.inputIds(), tensors.attentionMask()}) {
      if (!inputs.contains(required)) {
        close();
        throw new InferenceException("Model '" + id + "' has no input '" + required
            + "'; its inputs are " + inputs);
      }
    }
    this.parallel = settings.sessions() == 1 ? null
        : Executors.newFixedThreadPool(settings.sessions(), daemonThreads(id));
    this.inferenceTime = InferenceMeter.INFERENCE_TIME.timer(registry, id);
    this.batchSize = InferenceMeter.BATCH_SIZE.summary(registry, id);
    this.batchTokens = InferenceMeter.BATCH_TOKENS.summary(registry, id);
    this.paddingRatio = InferenceMeter.PADDING_RATIO.summary(registry, id);
    this.texts = InferenceMeter.TEXTS.counter(registry, id);
    this.registry = registry;
  }

  /** Opens an encoder with {@link EncoderSettings#DEFAULT} and no meters. */
  public static TextEncoder open(ModelBundle bundle) {
    return open(bundle, EncoderSettings.DEFAULT, NoMeters.registry());
  }

  public static TextEncoder open(ModelBundle bundle, EncoderSettings settings,
      MeterRegistry registry) {
    return new TextEncoder(bundle, settings, registry);
  }

  public List<TokenizedText> tokenize(List<String> texts) {
    return tokenizer.tokenize(texts);
  }

  public TokenizedText tokenize(String text) {
    return tokenizer.tokenize(text);
  }

  /** The vector of each text, in input order. */
  public float[][] embed(List<String> texts) {
    return embedTokenized(tokenize(texts));
  }

  public float[] embed(String text) {
    return embed(List.of(text))[0];
  }

  /** Plans model calls within the batch limits, runs them, returns vectors in input order. */
  public float[][] embedTokenized(List<TokenizedText> tokenized) {
    float[][] vectors = new float[tokenized.size()][];
    List<Integer> indices = new ArrayList<>(tokenized.size());
    for (int i = 0; i < tokenized.size(); i++) {
      indices.add(i);
    }
    List<BatchPlanner.PlannedBatch<Integer>> plan =
        planner.plan(indices, i -> tokenized.get(i).length());
    List<Future<float[][]>> futures = new ArrayList<>();
    for (BatchPlanner.PlannedBatch<Integer> batch : plan) {
      List<TokenizedText> items = batch.items().stream().map(tokenized::get).toList();
      if (parallel == null || plan.size() == 1) {
        scatter(batch.items(), runBatch(items), vectors);
      } else {
        futures.add(parallel.submit(() -> runBatch(items)));
      }
    }
    for (int b = 0; b < futures.size(); b++) {
      scatter(plan.get(b).items(), join(futures.get(b)), vectors);
    }
    return vectors;
  }

  /** Exactly one model call over these texts, padded to the longest; vectors in input order. */
  public float[][] runBatch(List<TokenizedText> batch) {
    TokenizedBatch packed = TokenizedBatch.pack(batch);
    OnnxSession session = borrow();
    Timer.Sample sample = Timer.start(registry);
    try {
      return pool(run(session, packed), packed);
    } finally {
      sample.stop(inferenceTime);
      idleSessions.add(session);
      batchSize.record(packed.size());
      batchTokens.record(packed.paddedTokens());
      paddingRatio.record(packed.paddingRatio());
      texts.increment(packed.size());
    }
  }

  public ModelBundle bundle() {
    return bundle;
  }

  /** {@code name@version} of the bundle. */
  public String modelId() {
    return bundle.id();
  }

  public int dimension() {
    return dimension;
  }

  public EncoderSettings settings() {
    return settings;
  }

  public BatchPlanner planner() {
    return planner;
  }

  public TextTokenizer tokenizer() {
    return tokenizer;
  }

  /** Whether a text's vector is independent of the other texts in its model call. */
  public boolean batchInvariant() {
    return batchInvariant;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      if (parallel != null) {
        parallel.shutdownNow();
      }
      allSessions.forEach(OnnxSession::close);
      tokenizer.close();
    }
  }

  /** Runs the model and returns its last hidden state, row-major [size, padded, dimension]. */
  private float[] run(OnnxSession session, TokenizedBatch packed) {
    OrtEnvironment env = OnnxSession.environment();
    long[] shape = {packed.size(), packed.paddedLength()};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put(tensors.inputIds(),
          OnnxTensor.createTensor(env, LongBuffer.wrap(packed.inputIds()), shape));
      inputs.put(tensors.attentionMask(),
          OnnxTensor.createTensor(env, LongBuffer.wrap(packed.attentionMask()), shape));
      if (hasTokenTypes) {
        inputs.put(tensors.tokenTypeIds(),
            OnnxTensor.createTensor(env, LongBuffer.wrap(packed.typeIds()), shape));
      }
      try (OrtSession.Result result = session.run(inputs, Set.of(tensors.output()))) {
        OnnxTensor output = (OnnxTensor) result.get(0);
        long[] outShape = output.getInfo().getShape();
        if (outShape.length != 3 || outShape[2] != dimension) {
          throw new InferenceException("Model '" + bundle.id() + "' output '" + tensors.output()
              + "' has shape " + Arrays.toString(outShape) + "; expected [batch, "
              + "tokens, " + dimension + "]");
        }
        FloatBuffer buffer = output.getFloatBuffer();
        float[] hidden = new float[buffer.remaining()];
        buffer.get(hidden);
        return hidden;
      }
    } catch (OrtException e) {
      throw new InferenceException("Model '" + bundle.id() + "' cannot build input tensors of "
          + "shape " + Arrays.toString(shape) + ": " + e.getMessage(), e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  private float[][] pool(float[] hidden, TokenizedBatch packed) {
    int length = packed.paddedLength();
    float[][] vectors = new float[packed.size()][dimension];
    for (int row = 0; row < packed.size(); row++) {
      float[] vector = vectors[row];
      int base = row * length * dimension;
      if (bundle.manifest().pooling() == Pooling.CLS) {
        System.arraycopy(hidden, base, vector, 0, dimension);
      } else {
        int tokens = packed.length(row);
        for (int t = 0; t < tokens; t++) {
          int offset = base + t * dimension;
          for (int d = 0; d < dimension; d++) {
            vector[d] += hidden[offset + d];
          }
        }
        float inverse = 1f / tokens;
        for (int d = 0; d < dimension; d++) {
          vector[d] *= inverse;
        }
      }
      if (bundle.manifest().normalizeOrDefault()) {
        normalize(vector);
      }
    }
    return vectors;
  }

  static void normalize(float[] vector) {
    double sum = 0;
    for (float v : vector) {
      sum += v * v;
    }
    if (sum > 0) {
      float inverse = (float) (1.0 / Math.sqrt(sum));
      for (int d = 0; d < vector.length; d++) {
        vector[d] *= inverse;
      }
    }
  }

  private OnnxSession borrow() {
    if (closed.get()) {
      throw new InferenceException("Model '" + bundle.id() + "' is closed");
    }
    try {
      return idleSessions.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InferenceException("Interrupted waiting for a session of model '" + bundle.id()
          + "'", e);
    }
  }

  private static void scatter(List<Integer> rows, float[][] result, float[][] vectors) {
    for (int i = 0; i < rows.size(); i++) {
      vectors[rows.get(i)] = result[i];
    }
  }

  private float[][] join(Future<float[][]> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InferenceException("Interrupted while model '" + bundle.id() + "' ran", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw new InferenceException("Model '" + bundle.id() + "' failed: " + e.getCause(), e);
    }
  }

  private static ThreadFactory daemonThreads(String id) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "sluice-encoder-" + id + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
