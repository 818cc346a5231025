package io.sluice.operators.decode;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.sluice.schemas.DeadLetterType;
import io.sluice.schemas.PipelineRecord;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decodes one CSV line into a text event or a sensor reading. The source names the columns; each
 * value is read as the field's type (numbers for {@code value} and {@code timestamp}, true/false for
 * {@code restricted}, text otherwise), then checked exactly as a JSON payload is, so errors name
 * the column and what was expected.
 */
public final class CsvPayloadDecoder implements PayloadDecoder {

  private static final Set<String> NUMBERS = Set.of("value", "timestamp", "ts");
  private static final CsvMapper CSV = CsvMapper.builder()
      .enable(CsvParser.Feature.FAIL_ON_MISSING_COLUMNS)
      .enable(CsvParser.Feature.FAIL_ON_MISSING_HEADER_COLUMNS)
      .build();

  private final List<String> columns;
  private final CsvSchema csvSchema;
  private final JsonPayloadDecoder fields;
  private final long maxBytes;

  /**
   * @param columns the column names, in order (for example deviceId, metric, value, timestamp)
   * @param delimiter the separator, usually {@code ,} or {@code ;}
   */
  public CsvPayloadDecoder(EventSchema schema, List<String> columns, char delimiter,
      long maxBytes) {
    this.columns = List.copyOf(columns);
    CsvSchema.Builder builder = CsvSchema.builder().setColumnSeparator(delimiter);
    columns.forEach(builder::addColumn);
    this.csvSchema = builder.build().withoutHeader();
    this.fields = new JsonPayloadDecoder(schema, maxBytes);
    this.maxBytes = maxBytes;
  }

  @Override
  public PipelineRecord decode(byte[] payload, IngestContext context) throws DecodeException {
    String line = PayloadChecks.text(payload, maxBytes).strip();
    if (line.indexOf('\n') >= 0) {
      throw new DecodeException(DeadLetterType.MALFORMED,
          "expected one CSV line, got " + line.lines().count() + " lines");
    }
    Map<String, String> values;
    try {
      values = CSV.readerFor(Map.class).with(csvSchema).readValue(line);
    } catch (IOException e) {
      throw new DecodeException(DeadLetterType.MALFORMED, "not a CSV line of " + columns.size()
          + " columns (" + String.join(", ", columns) + "): " + firstLine(e.getMessage()));
    }
    if (values.size() > columns.size()) {
      throw new DecodeException(DeadLetterType.SCHEMA_VIOLATION, "expected " + columns.size()
          + " columns (" + String.join(", ", columns) + "), got more");
    }
    ObjectNode object = JsonNodeFactory.instance.objectNode();
    for (String column : columns) {
      String value = values.get(column);
      if (value == null || value.isEmpty()) {
        continue;
      }
      if (NUMBERS.contains(column)) {
        try {
          if (column.equals("value")) {
            object.put(column, Double.parseDouble(value));
          } else {
            object.put(column, Long.parseLong(value));
          }
          continue;
        } catch (NumberFormatException e) {
          // leave it as text: the field check reports the column and what it expected
        }
      }
      if (column.equals("restricted") && (value.equals("true") || value.equals("false"))) {
        object.put(column, Boolean.parseBoolean(value));
      } else {
        object.put(column, value);
      }
    }
    return fields.fromObject(object, payload, context);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
