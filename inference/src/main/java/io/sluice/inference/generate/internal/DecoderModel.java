package io.sluice.inference.generate.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.sluice.inference.InferenceException;
import io.sluice.inference.OnnxSession;
import io.sluice.inference.generate.DecoderConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One forward pass of a decoder-only ONNX model over a batch of rows, each with its own Java-held
 * past ({@link KvCache}) and its own new tokens.
 *
 * <p>Layout of a batch with pasts of different lengths and different numbers of new tokens: the
 * past is left-padded to the longest past and the new tokens are right-padded to the longest run,
 * so every row's real tokens sit at the same columns. The attention mask is 0 on both paddings;
 * position ids count each row's own positions. Right padding keeps every padded query attending to
 * at least one real key (no fully masked softmax row, which can yield NaN), and causality keeps
 * real tokens from attending to the padding after them, so each row computes what it would alone.
 * Padded slots repeat their row's last real position, so no position id exceeds what the row
 * itself reaches.
 * After the call the real new positions of each {@code present} are appended to the row's cache.
 *
 * <p>Direct buffers for the inputs are reused between calls (calls are serialised: ONNX Runtime
 * already spreads one call over every intra-op thread).
 */
public final class DecoderModel implements AutoCloseable {

  /** One sequence in a forward pass. */
  public record Row(KvCache cache, int[] tokens, boolean appendToCache) {
    public Row {
      if (tokens.length == 0) {
        throw new IllegalArgumentException("A row needs at least one new token");
      }
      if (appendToCache && cache.isFrozen()) {
        throw new IllegalArgumentException("Cannot append to a frozen cache");
      }
    }
  }

  /** Which logits to return for each row. */
  public enum Logits {
    /** Only at the row's last real token (generation). */
    LAST,
    /** At every real new token (verification, scoring). */
    ALL
  }

  private final OnnxSession session;
  private final DecoderConfig config;
  private final boolean hasPositionIds;
  private final boolean hasCacheBranch;
  private final String[] pastKeyNames;
  private final String[] pastValueNames;
  private final String[] presentKeyNames;
  private final String[] presentValueNames;
  private final Map<String, ByteBuffer> scratch = new HashMap<>();

  public DecoderModel(OnnxSession session, DecoderConfig config) {
    this.session = session;
    this.config = config;
    Map<String, NodeInfo> inputs = session.inputInfo();
    Map<String, NodeInfo> outputs = session.outputInfo();
    String model = session.modelName();
    for (String name : List.of("input_ids", "attention_mask")) {
      if (!inputs.containsKey(name)) {
        throw new InferenceException("Model '" + model + "' has no input '" + name
            + "'; a decoder in the Optimum layout takes input_ids, attention_mask, position_ids and"
            + " past_key_values.N.key|value (inputs found: " + inputs.keySet() + ")");
      }
    }
    if (!outputs.containsKey("logits")) {
      throw new InferenceException("Model '" + model + "' has no output 'logits' (outputs found: "
          + outputs.keySet() + ")");
    }
    hasPositionIds = inputs.containsKey("position_ids");
    hasCacheBranch = inputs.containsKey("use_cache_branch");
    int layers = config.numLayers();
    pastKeyNames = new String[layers];
    pastValueNames = new String[layers];
    presentKeyNames = new String[layers];
    presentValueNames = new String[layers];
    for (int l = 0; l < layers; l++) {
      pastKeyNames[l] = "past_key_values." + l + ".key";
      pastValueNames[l] = "past_key_values." + l + ".value";
      presentKeyNames[l] = "present." + l + ".key";
      presentValueNames[l] = "present." + l + ".value";
      checkCacheTensor(inputs, pastKeyNames[l]);
      checkCacheTensor(inputs, pastValueNames[l]);
      checkCacheTensor(outputs, presentKeyNames[l]);
      checkCacheTensor(outputs, presentValueNames[l]);
    }
    if (inputs.containsKey("past_key_values." + layers + ".key")) {
      throw new InferenceException("Model '" + model + "' has more than num_hidden_layers="
          + layers + " past_key_values inputs; config.json does not match the model");
    }
  }

  public DecoderConfig config() {
    return config;
  }

  public String modelName() {
    return session.modelName();
  }

  /** A new, empty cache shaped for this model. */
  public KvCache newCache(int capacity) {
    return new KvCache(config.numLayers(), config.numKeyValueHeads(), config.headDim(), capacity);
  }

  /**
   * Runs one forward pass. Returns, per row, the logits as a flat array: {@code vocab} floats for
   * {@link Logits#LAST}, or {@code tokens.length * vocab} for {@link Logits#ALL}.
   */
  public synchronized float[][] forward(List<Row> rows, Logits mode) {
    int batch = rows.size();
    int past = 0;
    int span = 0;
    for (Row row : rows) {
      past = Math.max(past, row.cache().length());
      span = Math.max(span, row.tokens().length);
    }
    int total = past + span;
    int heads = config.numKeyValueHeads();
    int headDim = config.headDim();
    int vocab = config.vocabSize();

    LongBuffer ids = longs("input_ids", batch * span);
    LongBuffer mask = longs("attention_mask", batch * total);
    LongBuffer positions = longs("position_ids", batch * span);
    for (int b = 0; b < batch; b++) {
      Row row = rows.get(b);
      int pastLength = row.cache().length();
      int[] tokens = row.tokens();
      for (int j = 0; j < span; j++) {
        ids.put(b * span + j, j < tokens.length ? tokens[j] : config.padTokenId());
        // Padded slots repeat the last real position: their output is discarded, and counting on
        // could run past max_position_embeddings when a long past meets a long prompt.
        positions.put(b * span + j, pastLength + Math.min(j, tokens.length - 1));
      }
      for (int j = 0; j < total; j++) {
        boolean real = j < past ? j >= past - pastLength : j - past < tokens.length;
        mask.put(b * total + j, real ? 1 : 0);
      }
    }

    List<OnnxTensor> created = new ArrayList<>();
    Map<String, OnnxTensor> feed = new HashMap<>();
    try {
      feed.put("input_ids", tensor(created, ids, new long[] {batch, span}));
      feed.put("attention_mask", tensor(created, mask, new long[] {batch, total}));
      if (hasPositionIds) {
        feed.put("position_ids", tensor(created, positions, new long[] {batch, span}));
      }
      if (hasCacheBranch) {
        OnnxTensor branch = OnnxTensor.createTensor(OnnxSession.environment(),
            new boolean[] {past > 0});
        created.add(branch);
        feed.put("use_cache_branch", branch);
      }
      long[] pastShape = {batch, heads, past, headDim};
      int perRow = heads * past * headDim;
      for (int l = 0; l < config.numLayers(); l++) {
        for (boolean key : new boolean[] {true, false}) {
          String name = key ? pastKeyNames[l] : pastValueNames[l];
          FloatBuffer buffer = floats(name, batch * perRow);
          for (int b = 0; b < batch; b++) {
            KvCache cache = rows.get(b).cache();
            int pad = past - cache.length();
            if (pad > 0) {
              for (int h = 0; h < heads; h++) {
                int at = b * perRow + h * past * headDim;
                for (int i = 0; i < pad * headDim; i++) {
                  buffer.put(at + i, 0f);
                }
              }
            }
            cache.copyPastInto(l, key, buffer, b * perRow, past);
          }
          feed.put(name, tensor(created, buffer, pastShape));
        }
      }
      try (OrtSession.Result result = session.run(feed)) {
        float[][] logits = readLogits(result, rows, span, vocab, mode);
        for (int l = 0; l < config.numLayers(); l++) {
          for (boolean key : new boolean[] {true, false}) {
            FloatBuffer present = floatOutput(result, key ? presentKeyNames[l] : presentValueNames[l],
                (long) batch * heads * total * headDim);
            for (int b = 0; b < batch; b++) {
              Row row = rows.get(b);
              if (row.appendToCache()) {
                row.cache().appendFrom(l, key, present, b * heads * total * headDim, total, past,
                    row.tokens().length);
              }
            }
          }
        }
        for (Row row : rows) {
          if (row.appendToCache()) {
            row.cache().commit(row.tokens().length);
          }
        }
        return logits;
      }
    } catch (OrtException e) {
      throw new InferenceException("Model '" + session.modelName() + "': cannot build inputs for a"
          + " batch of " + batch + " (past " + past + ", new " + span + "): " + e.getMessage(), e);
    } finally {
      created.forEach(OnnxTensor::close);
    }
  }

  private float[][] readLogits(OrtSession.Result result, List<Row> rows, int span, int vocab,
      Logits mode) {
    int batch = rows.size();
    FloatBuffer all = floatOutput(result, "logits", (long) batch * span * vocab);
    float[][] out = new float[batch][];
    for (int b = 0; b < batch; b++) {
      int real = rows.get(b).tokens().length;
      if (mode == Logits.LAST) {
        out[b] = new float[vocab];
        all.get((b * span + real - 1) * vocab, out[b], 0, vocab);
      } else {
        out[b] = new float[real * vocab];
        all.get(b * span * vocab, out[b], 0, real * vocab);
      }
    }
    return out;
  }

  private FloatBuffer floatOutput(OrtSession.Result result, String name, long expected) {
    OnnxValue value = result.get(name).orElseThrow(() -> new InferenceException("Model '"
        + session.modelName() + "' returned no output '" + name + "'"));
    if (!(value instanceof OnnxTensor tensor) || tensor.getInfo().type != OnnxJavaType.FLOAT) {
      throw new InferenceException("Model '" + session.modelName() + "': output '" + name
          + "' is not a float32 tensor");
    }
    FloatBuffer buffer = tensor.getFloatBuffer();
    if (buffer.remaining() != expected) {
      throw new InferenceException("Model '" + session.modelName() + "': output '" + name
          + "' has shape " + java.util.Arrays.toString(tensor.getInfo().getShape()) + ", expected "
          + expected + " values; check num_key_value_heads, head_dim and vocab_size in config.json");
    }
    return buffer;
  }

  private void checkCacheTensor(Map<String, NodeInfo> nodes, String name) {
    NodeInfo node = nodes.get(name);
    if (node == null) {
      throw new InferenceException("Model '" + session.modelName() + "' has no '" + name
          + "' (num_hidden_layers=" + config.numLayers() + " in config.json); export the model"
          + " with its KV cache (Optimum: task text-generation-with-past)");
    }
    if (!(node.getInfo() instanceof TensorInfo info) || info.type != OnnxJavaType.FLOAT) {
      throw new InferenceException("Model '" + session.modelName() + "': '" + name + "' is "
          + node.getInfo() + "; only float32 caches are supported (int8 weights are fine)");
    }
    long[] shape = info.getShape();
    if (shape.length != 4
        || (shape[1] > 0 && shape[1] != config.numKeyValueHeads())
        || (shape[3] > 0 && shape[3] != config.headDim())) {
      throw new InferenceException("Model '" + session.modelName() + "': '" + name + "' has shape "
          + java.util.Arrays.toString(shape) + " but config.json gives "
          + config.numKeyValueHeads() + " key/value heads of dimension " + config.headDim()
          + " (expected [batch, heads, length, head_dim])");
    }
  }

  private OnnxTensor tensor(List<OnnxTensor> created, FloatBuffer data, long[] shape)
      throws OrtException {
    OnnxTensor t = OnnxTensor.createTensor(OnnxSession.environment(), data, shape);
    created.add(t);
    return t;
  }

  private OnnxTensor tensor(List<OnnxTensor> created, LongBuffer data, long[] shape)
      throws OrtException {
    OnnxTensor t = OnnxTensor.createTensor(OnnxSession.environment(), data, shape);
    created.add(t);
    return t;
  }

  private LongBuffer longs(String name, int count) {
    return bytes(name, count * Long.BYTES).asLongBuffer();
  }

  private FloatBuffer floats(String name, int count) {
    return bytes(name, count * Float.BYTES).asFloatBuffer();
  }

  /** A direct native-order buffer of exactly {@code size} bytes, reusing earlier storage. */
  private ByteBuffer bytes(String name, int size) {
    ByteBuffer buffer = scratch.get(name);
    if (buffer == null || buffer.capacity() < size) {
      buffer = ByteBuffer.allocateDirect(Math.max(size, 64)).order(ByteOrder.nativeOrder());
      scratch.put(name, buffer);
    }
    ByteBuffer view = buffer.duplicate().order(ByteOrder.nativeOrder());
    view.position(0).limit(size);
    return view.slice().order(ByteOrder.nativeOrder());
  }

  @Override
  public void close() {
    session.close();
  }
}
