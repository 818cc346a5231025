package io.sluice.inference.extract.internal;

import io.sluice.inference.internal.onnx.ProtoWire;
import io.sluice.inference.internal.onnx.ProtoWire.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the hidden state of every layer inside a BERT-style ONNX encoder and makes the chosen ones
 * graph outputs, so one model call returns them beside {@code last_hidden_state}.
 *
 * <p>Why: the last layer of a sentence encoder such as all-MiniLM-L6-v2 is trained for mean
 * pooling into one sentence vector; the middle layers keep more about each word, and tag words
 * better (measured in docs/BENCHMARKS.md, Extraction). Exports by Optimum / {@code torch.onnx}
 * name a layer's output {@code /embeddings/LayerNorm/Add_1_output_0} (layer 0, the embeddings)
 * and {@code /encoder/layer.K/output/LayerNorm/Add_1_output_0} (layer K + 1). The last layer is
 * always read from the model's declared output.
 *
 * <p>How: the model is read with {@link ProtoWire}; node outputs are scanned for those names and
 * a {@code ValueInfoProto} (float tensor, shape left open) is appended to the graph's outputs for
 * each chosen layer; nothing else changes.
 */
public final class HiddenLayers {

  private static final int MODEL_GRAPH = 7;
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_OUTPUT = 12;
  private static final int NODE_OUTPUT = 2;
  private static final int TYPE_FLOAT = 1;
  private static final String EMBEDDINGS = "/embeddings/LayerNorm/Add_1_output_0";
  private static final Pattern LAYER =
      Pattern.compile("/encoder/layer\\.(\\d+)/output/LayerNorm/Add_1_output_0");

  private HiddenLayers() {}

  /**
   * The tensor name of each hidden layer found in the graph: 0 is the embeddings, {@code k} the
   * output of the k-th transformer layer. The last layer is listed under its internal name when
   * the graph has one; callers read it from the declared output instead.
   */
  public static Map<Integer, String> find(byte[] model) {
    Map<Integer, String> layers = new TreeMap<>();
    for (Field field : graph(model)) {
      if (field.number() != GRAPH_NODE) {
        continue;
      }
      for (Field part : field.message()) {
        if (part.number() != NODE_OUTPUT) {
          continue;
        }
        String name = part.text();
        if (name.equals(EMBEDDINGS)) {
          layers.put(0, name);
        } else {
          Matcher m = LAYER.matcher(name);
          if (m.matches()) {
            layers.put(Integer.parseInt(m.group(1)) + 1, name);
          }
        }
      }
    }
    return layers;
  }

  /** The model with the named tensors added to the graph's outputs. */
  public static byte[] expose(byte[] model, List<String> tensors) {
    List<Field> top = ProtoWire.parse(model);
    List<Field> rewritten = new ArrayList<>(top.size());
    boolean found = false;
    for (Field field : top) {
      if (field.number() == MODEL_GRAPH && field.wireType() == ProtoWire.LEN) {
        List<Field> graph = new ArrayList<>(field.message());
        for (String tensor : tensors) {
          graph.add(Field.bytes(GRAPH_OUTPUT, floatTensorInfo(tensor)));
        }
        rewritten.add(Field.bytes(MODEL_GRAPH, ProtoWire.encode(graph)));
        found = true;
      } else {
        rewritten.add(field);
      }
    }
    if (!found) {
      throw new IllegalArgumentException("Not an ONNX model: no graph");
    }
    return ProtoWire.encode(rewritten);
  }

  private static List<Field> graph(byte[] model) {
    for (Field field : ProtoWire.parse(model)) {
      if (field.number() == MODEL_GRAPH && field.wireType() == ProtoWire.LEN) {
        return field.message();
      }
    }
    throw new IllegalArgumentException("Not an ONNX model: no graph");
  }

  private static byte[] floatTensorInfo(String name) {
    byte[] tensorType = ProtoWire.encode(List.of(Field.varint(1, TYPE_FLOAT)));
    byte[] type = ProtoWire.encode(List.of(Field.bytes(1, tensorType)));
    return ProtoWire.encode(List.of(Field.string(1, name), Field.bytes(2, type)));
  }
}
