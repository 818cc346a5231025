package io.sluice.inference.internal.heads;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.inference.HeadKind;
import io.sluice.inference.internal.Json;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The file format of a saved head: a JSON header (model, kind, labels, calibration) followed by
 * the float arrays of the head and the whole {@link TrainingStore}, so a restarted gateway serves
 * the same answers and can keep learning without re-embedding what it was taught.
 *
 * <pre>
 * int magic 'SLHD', int format 1, int headerLength, header (UTF-8 JSON),
 * float[] model weights (softmax: W then b; prototypes: one row per label),
 * float[] neighbour bank, double[] novelty reference,
 * examples, calibration, out-of-scope: int count, then per entry text, label, float[] vector
 * </pre>
 */
public final class HeadCodec {

  private static final int MAGIC = 0x534C4844;
  private static final int FORMAT = 1;

  private HeadCodec() {}

  /** A head and the store it was trained from, as read back. */
  public record Saved(String model, Head head, TrainingStore store) {}

  public static void write(OutputStream stream, String model, Head head, TrainingStore store)
      throws IOException {
    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(stream));
    ObjectNode header = Json.MAPPER.createObjectNode();
    header.put("model", model);
    header.put("kind", head.kind().id());
    header.putPOJO("labels", head.labels());
    header.put("temperature", head.temperature());
    header.putPOJO("novelty", head.novelty().state());
    header.put("neighbours", head.bank().neighbours());
    header.put("dimension", head.bank().dimension());
    header.put("examples", head.examples());
    header.put("calibrationExamples", head.calibrationExamples());
    if (head.model() instanceof SoftmaxRegression softmax) {
      header.put("scale", softmax.scale());
    }
    byte[] json = Json.MAPPER.writeValueAsBytes(header);
    out.writeInt(MAGIC);
    out.writeInt(FORMAT);
    out.writeInt(json.length);
    out.write(json);
    if (head.model() instanceof SoftmaxRegression softmax) {
      writeFloats(out, softmax.weights());
      writeFloats(out, softmax.bias());
    } else if (head.model() instanceof Prototypes prototypes) {
      float[][] rows = prototypes.prototypes();
      float[] flat = new float[rows.length * rows[0].length];
      for (int i = 0; i < rows.length; i++) {
        System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
      }
      writeFloats(out, flat);
    } else {
      throw new IOException("Cannot save a head of type " + head.model().getClass());
    }
    writeFloats(out, head.bank().points());
    double[] reference = head.novelty().reference();
    out.writeInt(reference.length);
    for (double r : reference) {
      out.writeDouble(r);
    }
    writeEntries(out, store.examples());
    writeEntries(out, store.calibration());
    writeEntries(out, store.outOfScope());
    out.flush();
  }

  public static Saved read(InputStream stream, String where) throws IOException {
    DataInputStream in = new DataInputStream(new BufferedInputStream(stream));
    if (in.readInt() != MAGIC) {
      throw new IOException(where + " is not a saved Sluice head");
    }
    int format = in.readInt();
    if (format != FORMAT) {
      throw new IOException(where + " has head format " + format + "; this version reads "
          + FORMAT);
    }
    byte[] json = new byte[in.readInt()];
    in.readFully(json);
    JsonNode header = Json.MAPPER.readTree(json);
    List<String> labels = new ArrayList<>();
    header.get("labels").forEach(node -> labels.add(node.asText()));
    HeadKind kind = HeadKind.of(header.get("kind").asText());
    int dimension = header.get("dimension").asInt();
    LogitModel model;
    if (kind == HeadKind.SOFTMAX) {
      float[] weights = readFloats(in);
      float[] bias = readFloats(in);
      model = new SoftmaxRegression(dimension, labels.size(),
          (float) header.get("scale").asDouble(), weights, bias);
    } else {
      float[] flat = readFloats(in);
      float[][] rows = new float[labels.size()][dimension];
      for (int i = 0; i < rows.length; i++) {
        System.arraycopy(flat, i * dimension, rows[i], 0, dimension);
      }
      model = new Prototypes(rows);
    }
    NeighbourBank bank = new NeighbourBank(readFloats(in), dimension,
        header.get("neighbours").asInt());
    double[] state = new double[6];
    for (int i = 0; i < state.length; i++) {
      state[i] = header.get("novelty").get(i).asDouble();
    }
    double[] reference = new double[in.readInt()];
    for (int i = 0; i < reference.length; i++) {
      reference[i] = in.readDouble();
    }
    Head head = new Head(kind, labels, model, bank, header.get("temperature").asDouble(),
        NoveltyScorer.of(state, reference), header.get("examples").asInt(),
        header.get("calibrationExamples").asInt());
    List<TrainingStore.Entry> examples = readEntries(in);
    List<TrainingStore.Entry> calibration = readEntries(in);
    List<TrainingStore.Entry> outOfScope = readEntries(in);
    return new Saved(header.get("model").asText(), head,
        new TrainingStore(labels, examples, calibration, outOfScope));
  }

  private static void writeEntries(DataOutputStream out, List<TrainingStore.Entry> entries)
      throws IOException {
    out.writeInt(entries.size());
    for (TrainingStore.Entry entry : entries) {
      writeString(out, entry.text());
      writeString(out, entry.label());
      writeFloats(out, entry.vector());
    }
  }

  private static List<TrainingStore.Entry> readEntries(DataInputStream in) throws IOException {
    int count = in.readInt();
    List<TrainingStore.Entry> entries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      entries.add(new TrainingStore.Entry(readString(in), readString(in), readFloats(in)));
    }
    return entries;
  }

  private static void writeString(DataOutputStream out, String text) throws IOException {
    if (text == null) {
      out.writeInt(-1);
      return;
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static String readString(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0) {
      return null;
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
    out.writeInt(values.length);
    for (float v : values) {
      out.writeFloat(v);
    }
  }

  private static float[] readFloats(DataInputStream in) throws IOException {
    float[] values = new float[in.readInt()];
    for (int i = 0; i < values.length; i++) {
      values[i] = in.readFloat();
    }
    return values;
  }
}
