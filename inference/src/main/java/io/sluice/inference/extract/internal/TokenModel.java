package io.sluice.inference.extract.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.sluice.inference.BundleManifest;
import io.sluice.inference.InferenceException;
import io.sluice.inference.OnnxSession;
import io.sluice.inference.SessionSettings;
import io.sluice.inference.extract.Words;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A model that reads sub-tokens and writes one vector per sub-token, with the tokenizer that
 * feeds it words: what the word encoder and the token classifier share. {@link #run} packs texts
 * (padded with 0 to the longest, attention mask 1 on real tokens, token types 0), makes one model
 * call and hands back, per requested output, the {@code [text][token][width]} values of the real
 * tokens. Thread-safe; {@link #close()} is idempotent.
 */
public final class TokenModel implements AutoCloseable {

  private final String id;
  private final WordPieces pieces;
  private final OnnxSession session;
  private final BundleManifest.Tensors tensors;
  private final boolean tokenTypes;
  private final AtomicBoolean closed = new AtomicBoolean();

  private TokenModel(String id, WordPieces pieces, OnnxSession session,
      BundleManifest.Tensors tensors) {
    this.id = id;
    this.pieces = pieces;
    this.session = session;
    this.tensors = tensors;
    this.tokenTypes = tensors.tokenTypeIds() != null
        && session.inputNames().contains(tensors.tokenTypeIds());
  }

  /**
   * Loads the tokenizer and the model and checks the model has the inputs and outputs named.
   *
   * @throws InferenceException naming the model and what it lacks
   */
  public static TokenModel open(String id, byte[] model, byte[] tokenizer, int maxTokens,
      BundleManifest.Tensors tensors, List<String> outputs, SessionSettings settings) {
    WordPieces pieces = WordPieces.open(id, tokenizer, maxTokens);
    OnnxSession session;
    try {
      session = OnnxSession.open(id, model, settings);
    } catch (RuntimeException e) {
      pieces.close();
      throw e;
    }
    TokenModel opened = new TokenModel(id, pieces, session, tensors);
    List<String> problems = new ArrayList<>();
    Set<String> inputs = session.inputNames();
    for (String required : new String[] {tensors.inputIds(), tensors.attentionMask()}) {
      if (!inputs.contains(required)) {
        problems.add("it has no input '" + required + "' (inputs: " + inputs + ")");
      }
    }
    for (String output : outputs) {
      if (!session.outputNames().contains(output)) {
        problems.add("it has no output '" + output + "' (outputs: " + session.outputNames()
            + ")");
      }
    }
    if (!problems.isEmpty()) {
      opened.close();
      throw new InferenceException("Model '" + id + "' cannot be used: "
          + String.join("; ", problems));
    }
    return opened;
  }

  public String id() {
    return id;
  }

  /** The sub-tokens of one text's words. */
  public WordPieces.Pieces encode(Words words) {
    return pieces.encode(words);
  }

  /**
   * One model call.
   *
   * @param outputs the outputs to read, each {@code [batch, tokens, width]}
   * @param width the expected last dimension of every output
   * @return {@code [output][text][token][width]}, real tokens only
   */
  public float[][][][] run(List<WordPieces.Pieces> batch, List<String> outputs, int width) {
    if (closed.get()) {
      throw new InferenceException("Model '" + id + "' is closed");
    }
    int size = batch.size();
    int padded = 0;
    for (WordPieces.Pieces p : batch) {
      padded = Math.max(padded, p.length());
    }
    long[] ids = new long[size * padded];
    long[] mask = new long[size * padded];
    for (int row = 0; row < size; row++) {
      long[] rowIds = batch.get(row).ids();
      System.arraycopy(rowIds, 0, ids, row * padded, rowIds.length);
      Arrays.fill(mask, row * padded, row * padded + rowIds.length, 1L);
    }
    OrtEnvironment env = OnnxSession.environment();
    long[] shape = {size, padded};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put(tensors.inputIds(), OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
      inputs.put(tensors.attentionMask(),
          OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
      if (tokenTypes) {
        inputs.put(tensors.tokenTypeIds(),
            OnnxTensor.createTensor(env, LongBuffer.wrap(new long[size * padded]), shape));
      }
      float[][][][] values = new float[outputs.size()][size][][];
      try (OrtSession.Result result = session.run(inputs, new LinkedHashSet<>(outputs))) {
        for (int o = 0; o < outputs.size(); o++) {
          read(outputs.get(o), (OnnxTensor) result.get(outputs.get(o)).orElseThrow(), batch,
              padded, width, values[o]);
        }
      }
      return values;
    } catch (OrtException e) {
      throw new InferenceException("Model '" + id + "' cannot build input tensors of shape "
          + Arrays.toString(shape) + ": " + e.getMessage(), e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  private void read(String output, OnnxTensor tensor, List<WordPieces.Pieces> batch, int padded,
      int width, float[][][] into) {
    long[] outShape = tensor.getInfo().getShape();
    if (outShape.length != 3 || outShape[0] != batch.size() || outShape[1] != padded
        || outShape[2] != width) {
      throw new InferenceException("Model '" + id + "' output '" + output + "' has shape "
          + Arrays.toString(outShape) + "; expected [" + batch.size() + ", " + padded + ", "
          + width + "]");
    }
    FloatBuffer buffer = tensor.getFloatBuffer();
    for (int row = 0; row < batch.size(); row++) {
      int tokens = batch.get(row).length();
      float[][] rowValues = new float[tokens][width];
      for (int t = 0; t < tokens; t++) {
        buffer.position((row * padded + t) * width);
        buffer.get(rowValues[t]);
      }
      into[row] = rowValues;
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      session.close();
      pieces.close();
    }
  }
}
