package io.sluice.operators.anomaly.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads what {@link StateOutput} wrote. A read past the end names the field it was reading, so a
 * truncated or foreign state blob fails with a message that says what was expected.
 */
public final class StateInput {

  private final byte[] bytes;
  private int position;

  public StateInput(byte[] bytes) {
    this.bytes = bytes;
  }

  public int readByte(String field) {
    need(1, field);
    return bytes[position++] & 0xff;
  }

  public int readInt(String field) {
    need(4, field);
    int value = 0;
    for (int i = 0; i < 4; i++) {
      value = (value << 8) | (bytes[position++] & 0xff);
    }
    return value;
  }

  public long readLong(String field) {
    need(8, field);
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = (value << 8) | (bytes[position++] & 0xff);
    }
    return value;
  }

  public double readDouble(String field) {
    return Double.longBitsToDouble(readLong(field));
  }

  public byte[] readBytes(String field) {
    int count = readInt(field + " length");
    if (count < 0) {
      throw new IllegalStateException("negative length " + count + " for '" + field + "'");
    }
    need(count, field);
    byte[] value = Arrays.copyOfRange(bytes, position, position + count);
    position += count;
    return value;
  }

  public String readString(String field) {
    return new String(readBytes(field), StandardCharsets.UTF_8);
  }

  public boolean exhausted() {
    return position == bytes.length;
  }

  public int remaining() {
    return bytes.length - position;
  }

  private void need(int count, String field) {
    if (position + count > bytes.length) {
      throw new IllegalStateException("Detector state ends at byte " + bytes.length
          + " while reading '" + field + "' (" + count + " bytes expected at byte " + position
          + ")");
    }
  }
}
