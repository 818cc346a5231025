package io.sluice.inference.internal.onnx;

import io.sluice.inference.ActivationRange;
import io.sluice.inference.internal.onnx.ProtoWire.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites the activation quantization of a dynamically quantized ONNX model.
 *
 * <p>Why: models quantized with ONNX Runtime's {@code quantize_dynamic} compute one scale for a
 * whole activation tensor per call ({@code DynamicQuantizeLinear}), so a sentence's embedding
 * depends on the other sentences in its batch. Replacing each {@code DynamicQuantizeLinear} by a
 * {@code QuantizeLinear} with a fixed scale and zero point (measured once on calibration texts and
 * kept in the bundle manifest) quantizes every element on its own: the embedding of a text no
 * longer depends on its batch-mates, and the int8 matrix products stay as fast as before.
 *
 * <p>How: the model is read with {@link ProtoWire}; only {@code ModelProto.graph} (field 7) and in
 * it the nodes (1), initializers (5) and outputs (12) are touched; everything else is copied.
 */
public final class QuantizationRewriter {

  private static final int MODEL_GRAPH = 7;
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_INITIALIZER = 5;
  private static final int GRAPH_OUTPUT = 12;
  private static final int NODE_INPUT = 1;
  private static final int NODE_OUTPUT = 2;
  private static final int NODE_NAME = 3;
  private static final int NODE_OP_TYPE = 4;
  private static final int TENSOR_DATA_TYPE = 2;
  private static final int TENSOR_NAME = 8;
  private static final int TENSOR_RAW_DATA = 9;
  private static final int TYPE_FLOAT = 1;
  private static final int TYPE_UINT8 = 2;
  private static final String DYNAMIC_QUANTIZE = "DynamicQuantizeLinear";

  private QuantizationRewriter() {}

  /** One {@code DynamicQuantizeLinear} node: its input and its three outputs. */
  public record DynamicQuantizer(String input, String quantized, String scale, String zeroPoint) {}

  /** The dynamic quantizers of a model, in graph order; empty for a model without them. */
  public static List<DynamicQuantizer> dynamicQuantizers(byte[] model) {
    List<DynamicQuantizer> found = new ArrayList<>();
    for (Field field : graph(model)) {
      if (field.number() == GRAPH_NODE) {
        List<Field> node = field.message();
        if (DYNAMIC_QUANTIZE.equals(opType(node))) {
          found.add(quantizer(node));
        }
      }
    }
    return found;
  }

  /**
   * The model with the scale and zero point of every dynamic quantizer added to the graph's
   * outputs, so a calibration run can read the range each one saw.
   */
  public static byte[] exposeDynamicQuantization(byte[] model) {
    List<Field> graph = new ArrayList<>(graph(model));
    for (DynamicQuantizer quantizer : dynamicQuantizers(model)) {
      graph.add(Field.bytes(GRAPH_OUTPUT, scalarValueInfo(quantizer.scale(), TYPE_FLOAT)));
      graph.add(Field.bytes(GRAPH_OUTPUT, scalarValueInfo(quantizer.zeroPoint(), TYPE_UINT8)));
    }
    return replaceGraph(model, graph);
  }

  /**
   * The model with every dynamic quantizer replaced by a static one over the given range.
   *
   * @throws IllegalArgumentException naming the first quantizer input without a range
   */
  public static byte[] toStaticQuantization(byte[] model, Map<String, ActivationRange> ranges) {
    List<Field> rewritten = new ArrayList<>();
    List<Field> constants = new ArrayList<>();
    for (Field field : graph(model)) {
      if (field.number() != GRAPH_NODE) {
        rewritten.add(field);
        continue;
      }
      List<Field> node = field.message();
      if (!DYNAMIC_QUANTIZE.equals(opType(node))) {
        rewritten.add(field);
        continue;
      }
      DynamicQuantizer quantizer = quantizer(node);
      ActivationRange range = ranges.get(quantizer.input());
      if (range == null) {
        throw new IllegalArgumentException("No activation range for quantized tensor '"
            + quantizer.input() + "'; the manifest lists " + ranges.keySet());
      }
      double low = Math.min(0, range.min());
      double high = Math.max(0, range.max());
      float scale = (float) ((high - low) / 255.0);
      if (!(scale > 0)) {
        scale = 1f;
      }
      int zeroPoint = (int) Math.max(0, Math.min(255, Math.round(-low / scale)));
      constants.add(Field.bytes(GRAPH_INITIALIZER, scalarTensor(quantizer.scale(), TYPE_FLOAT,
          ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(scale).array())));
      constants.add(Field.bytes(GRAPH_INITIALIZER, scalarTensor(quantizer.zeroPoint(), TYPE_UINT8,
          new byte[] {(byte) zeroPoint})));
      rewritten.add(Field.bytes(GRAPH_NODE, ProtoWire.encode(List.of(
          Field.string(NODE_INPUT, quantizer.input()),
          Field.string(NODE_INPUT, quantizer.scale()),
          Field.string(NODE_INPUT, quantizer.zeroPoint()),
          Field.string(NODE_OUTPUT, quantizer.quantized()),
          Field.string(NODE_NAME, quantizer.quantized() + "/static"),
          Field.string(NODE_OP_TYPE, "QuantizeLinear")))));
    }
    rewritten.addAll(constants);
    return replaceGraph(model, rewritten);
  }

  /** Ranges keyed by quantizer input, from the scale and zero point a quantizer reported. */
  public static ActivationRange rangeOf(float scale, int zeroPoint) {
    return new ActivationRange(-zeroPoint * (double) scale, (255 - zeroPoint) * (double) scale);
  }

  private static List<Field> graph(byte[] model) {
    for (Field field : ProtoWire.parse(model)) {
      if (field.number() == MODEL_GRAPH && field.wireType() == ProtoWire.LEN) {
        return field.message();
      }
    }
    throw new IllegalArgumentException("Not an ONNX model: no graph");
  }

  private static byte[] replaceGraph(byte[] model, List<Field> graph) {
    byte[] encodedGraph = ProtoWire.encode(graph);
    List<Field> fields = new ArrayList<>();
    for (Field field : ProtoWire.parse(model)) {
      fields.add(field.number() == MODEL_GRAPH ? Field.bytes(MODEL_GRAPH, encodedGraph) : field);
    }
    return ProtoWire.encode(fields);
  }

  private static String opType(List<Field> node) {
    for (Field field : node) {
      if (field.number() == NODE_OP_TYPE) {
        return field.text();
      }
    }
    return "";
  }

  private static DynamicQuantizer quantizer(List<Field> node) {
    List<String> inputs = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    for (Field field : node) {
      if (field.number() == NODE_INPUT) {
        inputs.add(field.text());
      } else if (field.number() == NODE_OUTPUT) {
        outputs.add(field.text());
      }
    }
    if (inputs.size() != 1 || outputs.size() != 3) {
      throw new IllegalArgumentException("A " + DYNAMIC_QUANTIZE + " node with inputs " + inputs
          + " and outputs " + outputs + "; expected one input and three outputs");
    }
    return new DynamicQuantizer(inputs.get(0), outputs.get(0), outputs.get(1), outputs.get(2));
  }

  private static byte[] scalarTensor(String name, int dataType, byte[] raw) {
    return ProtoWire.encode(List.of(
        Field.varint(TENSOR_DATA_TYPE, dataType),
        Field.string(TENSOR_NAME, name),
        Field.bytes(TENSOR_RAW_DATA, raw)));
  }

  private static byte[] scalarValueInfo(String name, int elementType) {
    byte[] tensorType = ProtoWire.encode(List.of(
        Field.varint(1, elementType), Field.bytes(2, new byte[0])));
    byte[] type = ProtoWire.encode(List.of(Field.bytes(1, tensorType)));
    return ProtoWire.encode(List.of(Field.string(1, name), Field.bytes(2, type)));
  }

  /** Ranges in graph order, for writing a manifest whose keys read in model order. */
  public static Map<String, ActivationRange> ordered(byte[] model,
      Map<String, ActivationRange> ranges) {
    Map<String, ActivationRange> ordered = new LinkedHashMap<>();
    for (DynamicQuantizer quantizer : dynamicQuantizers(model)) {
      ActivationRange range = ranges.get(quantizer.input());
      if (range != null) {
        ordered.put(quantizer.input(), range);
      }
    }
    return ordered;
  }
}
