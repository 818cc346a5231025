package io.sluice.inference.internal.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The protobuf wire format, just enough of it to rewrite an ONNX model without a generated
 * protobuf library: a message is read as a flat list of fields whose payloads are slices of the
 * original buffer (so a 30 MB model is not copied field by field), and written back by
 * concatenating fields. Unknown fields survive a read and write untouched.
 */
public final class ProtoWire {

  public static final int VARINT = 0;
  public static final int I64 = 1;
  public static final int LEN = 2;
  public static final int I32 = 5;

  private ProtoWire() {}

  /**
   * One field of a message. For {@link #VARINT} fields {@code value} holds the number; for the
   * others the payload is {@code length} bytes of {@code buffer} from {@code offset}.
   */
  public record Field(int number, int wireType, long value, byte[] buffer, int offset, int length) {

    public static Field varint(int number, long value) {
      return new Field(number, VARINT, value, null, 0, 0);
    }

    public static Field bytes(int number, byte[] payload) {
      return new Field(number, LEN, 0, payload, 0, payload.length);
    }

    public static Field string(int number, String text) {
      return bytes(number, text.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] payload() {
      byte[] copy = new byte[length];
      System.arraycopy(buffer, offset, copy, 0, length);
      return copy;
    }

    public String text() {
      return new String(buffer, offset, length, StandardCharsets.UTF_8);
    }

    /** The fields of this field's payload, read as a nested message. */
    public List<Field> message() {
      return parse(buffer, offset, length);
    }
  }

  public static List<Field> parse(byte[] buffer) {
    return parse(buffer, 0, buffer.length);
  }

  public static List<Field> parse(byte[] buffer, int offset, int length) {
    List<Field> fields = new ArrayList<>();
    int[] position = {offset};
    int end = offset + length;
    while (position[0] < end) {
      long key = readVarint(buffer, position);
      int number = (int) (key >>> 3);
      int wireType = (int) (key & 7);
      switch (wireType) {
        case VARINT -> fields.add(Field.varint(number, readVarint(buffer, position)));
        case LEN -> {
          int size = (int) readVarint(buffer, position);
          checkBounds(position[0], size, end);
          fields.add(new Field(number, LEN, 0, buffer, position[0], size));
          position[0] += size;
        }
        case I32, I64 -> {
          int size = wireType == I32 ? 4 : 8;
          checkBounds(position[0], size, end);
          fields.add(new Field(number, wireType, 0, buffer, position[0], size));
          position[0] += size;
        }
        default -> throw new IllegalArgumentException(
            "Not a protobuf message: wire type " + wireType + " at byte " + position[0]);
      }
    }
    return fields;
  }

  public static byte[] encode(List<Field> fields) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Field field : fields) {
      writeVarint(out, ((long) field.number() << 3) | field.wireType());
      switch (field.wireType()) {
        case VARINT -> writeVarint(out, field.value());
        case LEN -> {
          writeVarint(out, field.length());
          out.write(field.buffer(), field.offset(), field.length());
        }
        default -> out.write(field.buffer(), field.offset(), field.length());
      }
    }
    return out.toByteArray();
  }

  /** Reads the packed or repeated varints of a field (as protobuf writes repeated integers). */
  public static List<Long> varints(Field field) {
    List<Long> values = new ArrayList<>();
    if (field.wireType() == VARINT) {
      values.add(field.value());
      return values;
    }
    int[] position = {field.offset()};
    int end = field.offset() + field.length();
    while (position[0] < end) {
      values.add(readVarint(field.buffer(), position));
    }
    return values;
  }

  private static void checkBounds(int position, int size, int end) {
    if (size < 0 || position + size > end) {
      throw new IllegalArgumentException(
          "Not a protobuf message: a field of " + size + " bytes at byte " + position
              + " runs past the end at " + end);
    }
  }

  private static long readVarint(byte[] buffer, int[] position) {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (position[0] >= buffer.length) {
        throw new IllegalArgumentException("Not a protobuf message: truncated varint");
      }
      byte b = buffer[position[0]++];
      result |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    throw new IllegalArgumentException("Not a protobuf message: varint longer than 10 bytes");
  }

  private static void writeVarint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7fL) != 0) {
      out.write((int) ((value & 0x7f) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }
}
