package io.sluice.inference.extract;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.inference.BatchPlanner;
import io.sluice.inference.BundleManifest;
import io.sluice.inference.InferenceException;
import io.sluice.inference.InferenceMeter;
import io.sluice.inference.ModelBundle;
import io.sluice.inference.ModelTask;
import io.sluice.inference.extract.internal.HiddenLayers;
import io.sluice.inference.extract.internal.TokenModel;
import io.sluice.inference.extract.internal.WordPieces;
import io.sluice.inference.internal.NoMeters;
import io.sluice.inference.internal.onnx.QuantizationRewriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Words in, one state per word out: a frozen encoder bundle's hidden states, mapped from
 * sub-tokens back to the words they came from. Extraction heads are trained and run on these.
 *
 * <p>Design. Words go to the bundle's tokenizer as a pre-tokenized sequence
 * ({@link WordPieces}), so each sub-token knows its word. A {@link BatchPlanner} groups texts of
 * similar length into model calls. The model is loaded once with the chosen hidden layers made
 * graph outputs ({@link HiddenLayers}); a sub-token's state is the mean of those layers, and a
 * word's state is its first sub-token's or the mean of its sub-tokens'
 * ({@link SubwordPooling}). With a calibrated bundle the dynamic quantizers are rewritten to
 * static ones as in {@code TextEncoder}, so a text's states do not depend on its batch-mates.
 * Meters are those of {@code TextEncoder}, tagged {@code model=<bundle id>/words}.
 *
 * <p>Thread-safe: concurrent {@link #encode} calls share the one ONNX session.
 */
public final class WordEncoder implements AutoCloseable {

  private final ModelBundle bundle;
  private final WordEncoderSettings settings;
  private final TokenModel model;
  private final BatchPlanner planner;
  private final List<String> outputs;
  private final int dimension;
  private final boolean batchInvariant;
  private final MeterRegistry registry;
  private final Timer inferenceTime;
  private final DistributionSummary batchSize;
  private final DistributionSummary batchTokens;
  private final Counter texts;
  private final Counter truncations;

  private WordEncoder(ModelBundle bundle, WordEncoderSettings settings, MeterRegistry registry) {
    BundleManifest manifest = bundle.manifest();
    if (manifest.task() != ModelTask.ENCODER) {
      throw new InferenceException("Bundle " + bundle + " is a " + manifest.task().id()
          + " model; word states need task encoder");
    }
    this.bundle = bundle;
    this.settings = settings;
    BundleManifest.Tensors tensors = manifest.tensorsOrDefault();
    this.dimension = manifest.dimension();
    this.planner = new BatchPlanner(settings.batching());
    byte[] onnx = bundle.model();
    BundleManifest.Quantization quantization = manifest.quantization();
    this.batchInvariant = settings.staticQuantization() && quantization != null
        && quantization.isStatic();
    if (batchInvariant) {
      onnx = QuantizationRewriter.toStaticQuantization(onnx, quantization.ranges());
    }
    this.outputs = layerTensors(bundle, onnx, settings.layers());
    List<String> hidden = outputs.stream().filter(name -> !name.equals(tensors.output()))
        .toList();
    if (!hidden.isEmpty()) {
      onnx = HiddenLayers.expose(onnx, hidden);
    }
    int maxTokens = manifest.maxTokens() == null ? 512 : manifest.maxTokens();
    this.model = TokenModel.open(bundle.id(), onnx, bundle.tokenizer(), maxTokens, tensors,
        outputs, settings.session());
    String meterId = bundle.id() + "/words";
    this.registry = registry;
    this.inferenceTime = InferenceMeter.INFERENCE_TIME.timer(registry, meterId);
    this.batchSize = InferenceMeter.BATCH_SIZE.summary(registry, meterId);
    this.batchTokens = InferenceMeter.BATCH_TOKENS.summary(registry, meterId);
    this.texts = InferenceMeter.TEXTS.counter(registry, meterId);
    this.truncations = InferenceMeter.TRUNCATIONS.counter(registry, meterId);
  }

  /** Opens the default settings with no meters. */
  public static WordEncoder open(ModelBundle bundle) {
    return open(bundle, WordEncoderSettings.DEFAULT, NoMeters.registry());
  }

  public static WordEncoder open(ModelBundle bundle, WordEncoderSettings settings,
      MeterRegistry registry) {
    return new WordEncoder(bundle, settings, registry);
  }

  /** The states of every word of each text, in input order. */
  public List<WordStates> encode(List<Words> textWords) {
    List<WordPieces.Pieces> tokenized = new ArrayList<>(textWords.size());
    int truncated = 0;
    for (Words words : textWords) {
      WordPieces.Pieces p = model.encode(words);
      tokenized.add(p);
      truncated += p.truncated() ? 1 : 0;
    }
    if (truncated > 0) {
      truncations.increment(truncated);
    }
    WordStates[] states = new WordStates[textWords.size()];
    List<Integer> indices = new ArrayList<>();
    for (int i = 0; i < textWords.size(); i++) {
      if (tokenized.get(i).length() == 0) {
        states[i] = new WordStates(new float[0][], 0, 0);
      } else {
        indices.add(i);
      }
    }
    for (BatchPlanner.PlannedBatch<Integer> batch
        : planner.plan(indices, i -> tokenized.get(i).length())) {
      List<WordPieces.Pieces> items = batch.items().stream().map(tokenized::get).toList();
      float[][][] tokenStates = run(items);
      for (int b = 0; b < items.size(); b++) {
        int index = batch.items().get(b);
        states[index] = pool(textWords.get(index), items.get(b), tokenStates[b]);
      }
    }
    return Arrays.asList(states);
  }

  /** The states of one text's words. */
  public WordStates encode(Words words) {
    return encode(List.of(words)).get(0);
  }

  /** Sub-tokens the model reads for these words, special tokens included, after truncation. */
  public int countTokens(Words words) {
    return model.encode(words).length();
  }

  /** The length of a word state. */
  public int dimension() {
    return dimension;
  }

  public ModelBundle bundle() {
    return bundle;
  }

  /** {@code name@version} of the bundle. */
  public String modelId() {
    return bundle.id();
  }

  public WordEncoderSettings settings() {
    return settings;
  }

  /** Whether a text's states are independent of the other texts in its model call. */
  public boolean batchInvariant() {
    return batchInvariant;
  }

  @Override
  public void close() {
    model.close();
  }

  /** One model call; returns per text the states of its tokens, {@code [token][dimension]}. */
  private float[][][] run(List<WordPieces.Pieces> batch) {
    Timer.Sample sample = Timer.start(registry);
    int padded = 0;
    for (WordPieces.Pieces p : batch) {
      padded = Math.max(padded, p.length());
    }
    try {
      float[][][][] layers = model.run(batch, outputs, dimension);
      float[][][] states = layers[0];
      if (layers.length > 1) {
        float share = 1f / layers.length;
        for (int row = 0; row < states.length; row++) {
          for (int t = 0; t < states[row].length; t++) {
            float[] state = states[row][t];
            for (int l = 1; l < layers.length; l++) {
              float[] other = layers[l][row][t];
              for (int d = 0; d < dimension; d++) {
                state[d] += other[d];
              }
            }
            for (int d = 0; d < dimension; d++) {
              state[d] *= share;
            }
          }
        }
      }
      return states;
    } finally {
      sample.stop(inferenceTime);
      batchSize.record(batch.size());
      batchTokens.record((double) batch.size() * padded);
      texts.increment(batch.size());
    }
  }

  private WordStates pool(Words words, WordPieces.Pieces p, float[][] tokenStates) {
    float[][] vectors = new float[words.size()][dimension];
    int[] counts = new int[words.size()];
    int[] wordIds = p.wordIds();
    for (int t = 0; t < wordIds.length; t++) {
      int word = wordIds[t];
      if (word < 0 || word >= vectors.length) {
        continue;
      }
      if (settings.pooling() == SubwordPooling.FIRST && counts[word] > 0) {
        continue;
      }
      counts[word]++;
      float[] vector = vectors[word];
      float[] state = tokenStates[t];
      for (int d = 0; d < dimension; d++) {
        vector[d] += state[d];
      }
    }
    for (int w = 0; w < vectors.length; w++) {
      if (counts[w] > 1) {
        float inverse = 1f / counts[w];
        for (int d = 0; d < dimension; d++) {
          vectors[w][d] *= inverse;
        }
      }
    }
    return new WordStates(vectors, p.length(), p.coveredWords());
  }

  /** The tensor to read for each requested layer, failing with the layers the model has. */
  private static List<String> layerTensors(ModelBundle bundle, byte[] model,
      List<Integer> layers) {
    String last = bundle.manifest().tensorsOrDefault().output();
    Map<Integer, String> found = HiddenLayers.find(model);
    int lastIndex = found.isEmpty() ? -1
        : found.keySet().stream().max(Integer::compare).orElseThrow() + 1;
    List<String> names = new ArrayList<>();
    for (int layer : layers) {
      if (layer == WordEncoderSettings.LAST || layer == lastIndex) {
        names.add(last);
      } else if (found.containsKey(layer)) {
        names.add(found.get(layer));
      } else {
        throw new InferenceException("Model '" + bundle.id() + "' has no hidden layer " + layer
            + (found.isEmpty() ? "; only its output '" + last + "' can be read (layers: ["
                + WordEncoderSettings.LAST + "])"
                : "; it has layers " + found.keySet() + " and " + lastIndex + " (the last)"));
      }
    }
    return List.copyOf(new LinkedHashSet<>(names));
  }
}
