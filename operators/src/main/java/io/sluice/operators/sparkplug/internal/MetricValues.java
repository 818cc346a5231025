package io.sluice.operators.sparkplug.internal;

import com.google.protobuf.ByteString;
import io.sluice.operators.decode.DecodeException;
import io.sluice.schemas.DeadLetterType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.eclipse.tahu.protobuf.SparkplugBProto.DataType;
import org.eclipse.tahu.protobuf.SparkplugBProto.Payload.DataSet;
import org.eclipse.tahu.protobuf.SparkplugBProto.Payload.Metric;
import org.eclipse.tahu.protobuf.SparkplugBProto.Payload.Template;

/**
 * Turns one Sparkplug metric value into flat named values, checking that the value field the
 * payload set is the one its datatype prescribes (Sparkplug B 3.0, section 6.4.16).
 *
 * <p><b>Naming rule.</b> A scalar keeps the metric's name. Array element {@code i} is
 * {@code <name>[i]}. DataSet cell at row {@code r}, column {@code c} is {@code <name>[r]/<c>}.
 * A template instance's member {@code m} is {@code <name>/<m>}, recursively (member aliases are
 * not used: members always carry names). Template definitions carry no values and are skipped.
 *
 * <p>Integers, floats and booleans (1 or 0) are numbers; String and Text are texts; DateTime,
 * UUID, Bytes, File, PropertySets and null values are neither and are reported as skipped.
 */
public final class MetricValues {

  private MetricValues() {}

  /** Receives the values of one metric. */
  public interface Sink {
    void number(String name, double value, long timestamp);

    void text(String name, String value, long timestamp);

    /** A value that is neither a number nor a text (by datatype name, or "null"). */
    void skipped(String what);
  }

  /**
   * @param name the resolved metric name
   * @param type the metric's datatype (from the metric, else from its birth)
   * @param where names the metric in error messages ("metric 3 'Pressure' (alias 7)")
   */
  public static void flatten(Metric m, String name, DataType type, long timestamp, String where,
      Sink out) throws DecodeException {
    if (m.getIsNull()) {
      out.skipped("null");
      return;
    }
    Metric.ValueCase set = m.getValueCase();
    switch (type) {
      case Int8, Int16, Int32, UInt8, UInt16 -> {
        expect(set, Metric.ValueCase.INT_VALUE, type, where);
        out.number(name, integer(type, m.getIntValue()), timestamp);
      }
      case UInt32 -> {
        // uint32 belongs in int_value; some encoders write it to long_value
        if (set == Metric.ValueCase.LONG_VALUE) {
          out.number(name, m.getLongValue() & 0xFFFF_FFFFL, timestamp);
        } else {
          expect(set, Metric.ValueCase.INT_VALUE, type, where);
          out.number(name, Integer.toUnsignedLong(m.getIntValue()), timestamp);
        }
      }
      case Int64 -> {
        expect(set, Metric.ValueCase.LONG_VALUE, type, where);
        out.number(name, m.getLongValue(), timestamp);
      }
      case UInt64 -> {
        expect(set, Metric.ValueCase.LONG_VALUE, type, where);
        out.number(name, unsigned(m.getLongValue()), timestamp);
      }
      case Float -> {
        expect(set, Metric.ValueCase.FLOAT_VALUE, type, where);
        out.number(name, m.getFloatValue(), timestamp);
      }
      case Double -> {
        expect(set, Metric.ValueCase.DOUBLE_VALUE, type, where);
        out.number(name, m.getDoubleValue(), timestamp);
      }
      case Boolean -> {
        expect(set, Metric.ValueCase.BOOLEAN_VALUE, type, where);
        out.number(name, m.getBooleanValue() ? 1 : 0, timestamp);
      }
      case String, Text -> {
        expect(set, Metric.ValueCase.STRING_VALUE, type, where);
        out.text(name, m.getStringValue(), timestamp);
      }
      case UUID -> {
        expect(set, Metric.ValueCase.STRING_VALUE, type, where);
        out.skipped(type.name());
      }
      case DateTime -> {
        expect(set, Metric.ValueCase.LONG_VALUE, type, where);
        out.skipped(type.name());
      }
      case Bytes, File -> {
        expect(set, Metric.ValueCase.BYTES_VALUE, type, where);
        out.skipped(type.name());
      }
      case DataSet -> {
        expect(set, Metric.ValueCase.DATASET_VALUE, type, where);
        dataSet(m.getDatasetValue(), name, timestamp, where, out);
      }
      case Template -> {
        expect(set, Metric.ValueCase.TEMPLATE_VALUE, type, where);
        template(m.getTemplateValue(), name, timestamp, where, out);
      }
      case Int8Array, Int16Array, Int32Array, Int64Array, UInt8Array, UInt16Array, UInt32Array,
          UInt64Array, FloatArray, DoubleArray, BooleanArray, StringArray, DateTimeArray -> {
        expect(set, Metric.ValueCase.BYTES_VALUE, type, where);
        array(m.getBytesValue(), type, name, timestamp, where, out);
      }
      default -> out.skipped(type.name());
    }
  }

  /** The datatype a number names, or an error naming the metric. */
  public static DataType type(int number, String where) throws DecodeException {
    DataType type = DataType.forNumber(number);
    if (type == null || type == DataType.Unknown) {
      throw new DecodeException(DeadLetterType.WRONG_TYPE, where + " has datatype " + number
          + ", which Sparkplug B does not define (1 to 34)");
    }
    return type;
  }

  private static void expect(Metric.ValueCase set, Metric.ValueCase wanted, DataType type,
      String where) throws DecodeException {
    if (set != wanted) {
      throw new DecodeException(DeadLetterType.WRONG_TYPE, where + " is " + type
          + ", which goes in " + field(wanted) + ", but the payload set "
          + (set == Metric.ValueCase.VALUE_NOT_SET ? "no value (and is_null is false)"
              : field(set)));
    }
  }

  private static String field(Metric.ValueCase c) {
    return c.name().toLowerCase();
  }

  private static double integer(DataType type, int raw) {
    return switch (type) {
      case Int8 -> (byte) raw;
      case Int16 -> (short) raw;
      case UInt8 -> raw & 0xFF;
      case UInt16 -> raw & 0xFFFF;
      default -> raw;
    };
  }

  private static double unsigned(long raw) {
    return raw >= 0 ? raw : (double) (raw >>> 1) * 2.0 + (raw & 1);
  }

  private static void dataSet(DataSet set, String name, long timestamp, String where, Sink out)
      throws DecodeException {
    int columns = set.getColumnsCount();
    if (set.getTypesCount() != columns) {
      throw new DecodeException(DeadLetterType.SCHEMA_VIOLATION, where + ": DataSet has "
          + columns + " columns but " + set.getTypesCount() + " types");
    }
    for (int r = 0; r < set.getRowsCount(); r++) {
      DataSet.Row row = set.getRows(r);
      if (row.getElementsCount() != columns) {
        throw new DecodeException(DeadLetterType.SCHEMA_VIOLATION, where + ": DataSet row " + r
            + " has " + row.getElementsCount() + " elements, the DataSet " + columns
            + " columns");
      }
      for (int c = 0; c < columns; c++) {
        String cell = name + "[" + r + "]/" + set.getColumns(c);
        DataType type = type(set.getTypes(c), where + " column '" + set.getColumns(c) + "'");
        cell(row.getElements(c), type, cell, timestamp, where + " row " + r + " column '"
            + set.getColumns(c) + "'", out);
      }
    }
  }

  private static void cell(DataSet.DataSetValue v, DataType type, String name, long timestamp,
      String where, Sink out) throws DecodeException {
    DataSet.DataSetValue.ValueCase set = v.getValueCase();
    DataSet.DataSetValue.ValueCase wanted = switch (type) {
      case Int8, Int16, Int32, UInt8, UInt16, UInt32 -> DataSet.DataSetValue.ValueCase.INT_VALUE;
      case Int64, UInt64, DateTime -> DataSet.DataSetValue.ValueCase.LONG_VALUE;
      case Float -> DataSet.DataSetValue.ValueCase.FLOAT_VALUE;
      case Double -> DataSet.DataSetValue.ValueCase.DOUBLE_VALUE;
      case Boolean -> DataSet.DataSetValue.ValueCase.BOOLEAN_VALUE;
      case String, Text, UUID -> DataSet.DataSetValue.ValueCase.STRING_VALUE;
      default -> null;
    };
    if (wanted == null) {
      throw new DecodeException(DeadLetterType.WRONG_TYPE, where + " has type " + type
          + "; DataSet columns hold basic types only");
    }
    if (set == DataSet.DataSetValue.ValueCase.VALUE_NOT_SET) {
      out.skipped("null");
      return;
    }
    if (type == DataType.UInt32 && set == DataSet.DataSetValue.ValueCase.LONG_VALUE) {
      out.number(name, v.getLongValue() & 0xFFFF_FFFFL, timestamp);
      return;
    }
    if (set != wanted) {
      throw new DecodeException(DeadLetterType.WRONG_TYPE, where + " is " + type
          + ", which goes in " + wanted.name().toLowerCase() + ", but the payload set "
          + set.name().toLowerCase());
    }
    switch (type) {
      case UInt32 -> out.number(name, Integer.toUnsignedLong(v.getIntValue()), timestamp);
      case Int8, Int16, Int32, UInt8, UInt16 -> out.number(name, integer(type, v.getIntValue()),
          timestamp);
      case Int64 -> out.number(name, v.getLongValue(), timestamp);
      case UInt64 -> out.number(name, unsigned(v.getLongValue()), timestamp);
      case Float -> out.number(name, v.getFloatValue(), timestamp);
      case Double -> out.number(name, v.getDoubleValue(), timestamp);
      case Boolean -> out.number(name, v.getBooleanValue() ? 1 : 0, timestamp);
      case String, Text -> out.text(name, v.getStringValue(), timestamp);
      default -> out.skipped(type.name());
    }
  }

  private static void template(Template t, String name, long timestamp, String where, Sink out)
      throws DecodeException {
    if (t.getIsDefinition()) {
      out.skipped("TemplateDefinition");
      return;
    }
    for (int i = 0; i < t.getMetricsCount(); i++) {
      Metric member = t.getMetrics(i);
      String memberWhere = where + " member " + i + " '" + member.getName() + "'";
      if (!member.hasName() || member.getName().isEmpty()) {
        throw new DecodeException(DeadLetterType.MISSING_FIELD, memberWhere
            + ": template members must carry a name");
      }
      if (!member.hasDatatype()) {
        throw new DecodeException(DeadLetterType.MISSING_FIELD, memberWhere
            + ": template members must carry a datatype");
      }
      long ts = member.hasTimestamp() ? member.getTimestamp() : timestamp;
      flatten(member, name + "/" + member.getName(), type(member.getDatatype(), memberWhere), ts,
          memberWhere, out);
    }
  }

  private static void array(ByteString bytes, DataType type, String name, long timestamp,
      String where, Sink out) throws DecodeException {
    ByteBuffer b = bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    int width = switch (type) {
      case Int8Array, UInt8Array -> 1;
      case Int16Array, UInt16Array -> 2;
      case Int32Array, UInt32Array, FloatArray -> 4;
      case Int64Array, UInt64Array, DoubleArray, DateTimeArray -> 8;
      default -> 0;
    };
    if (width > 0) {
      if (b.remaining() % width != 0) {
        throw new DecodeException(DeadLetterType.MALFORMED, where + " is " + type + " but its "
            + b.remaining() + " bytes are not a whole number of " + width + "-byte values");
      }
      int n = b.remaining() / width;
      for (int i = 0; i < n; i++) {
        String element = name + "[" + i + "]";
        switch (type) {
          case Int8Array -> out.number(element, b.get(), timestamp);
          case UInt8Array -> out.number(element, b.get() & 0xFF, timestamp);
          case Int16Array -> out.number(element, b.getShort(), timestamp);
          case UInt16Array -> out.number(element, b.getShort() & 0xFFFF, timestamp);
          case Int32Array -> out.number(element, b.getInt(), timestamp);
          case UInt32Array -> out.number(element, Integer.toUnsignedLong(b.getInt()), timestamp);
          case FloatArray -> out.number(element, b.getFloat(), timestamp);
          case Int64Array -> out.number(element, b.getLong(), timestamp);
          case UInt64Array -> out.number(element, unsigned(b.getLong()), timestamp);
          case DoubleArray -> out.number(element, b.getDouble(), timestamp);
          default -> {
            b.getLong();
            out.skipped("DateTime");
          }
        }
      }
      return;
    }
    if (type == DataType.BooleanArray) {
      if (b.remaining() < 4) {
        throw new DecodeException(DeadLetterType.MALFORMED, where
            + " is BooleanArray but has no 4-byte count");
      }
      long count = Integer.toUnsignedLong(b.getInt());
      if (count > (long) b.remaining() * 8) {
        throw new DecodeException(DeadLetterType.MALFORMED, where + " is BooleanArray of "
            + count + " values but holds only " + b.remaining() * 8L + " bits");
      }
      for (int i = 0; i < count; i++) {
        int bits = b.get(b.position() + i / 8) & 0xFF;
        boolean bit = (bits & (0x80 >>> (i % 8))) != 0;
        out.number(name + "[" + i + "]", bit ? 1 : 0, timestamp);
      }
      return;
    }
    // StringArray: UTF-8 strings, each ending in a zero byte
    byte[] raw = bytes.toByteArray();
    int start = 0;
    int index = 0;
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == 0) {
        out.text(name + "[" + index++ + "]",
            new String(raw, start, i - start, StandardCharsets.UTF_8), timestamp);
        start = i + 1;
      }
    }
    if (start != raw.length) {
      throw new DecodeException(DeadLetterType.MALFORMED, where
          + " is StringArray but its last string has no terminating zero byte");
    }
  }
}
