package io.sluice.topology.internal.schema;

import io.sluice.operators.Suggestions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** Scalar types: strings, numbers, booleans, durations, sizes and enumerations. */
public final class Scalars {

  private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|KB|MB|GB)?");

  private Scalars() {}

  /**
   * The text of a scalar node with {@code ${VAR}} and {@code ${VAR:-default}} replaced from the
   * environment; null (with an error reported) when the node is not a scalar or a variable is unset.
   */
  static String text(Node node, Reader reader, String expected) {
    if (!(node instanceof ScalarNode scalar)) {
      reader.error(node, "expected " + expected + ", got " + NodeKinds.describe(node));
      return null;
    }
    String value = scalar.getValue();
    if (value.indexOf("${") < 0) {
      return value;
    }
    Matcher m = ENV.matcher(value);
    StringBuilder out = new StringBuilder();
    boolean ok = true;
    while (m.find()) {
      String resolved = reader.env(m.group(1));
      if (resolved == null) {
        resolved = m.group(3);
      }
      if (resolved == null) {
        reader.error(node, "environment variable " + m.group(1) + " is not set",
            "export " + m.group(1) + " or write ${" + m.group(1) + ":-default}");
        ok = false;
        resolved = "";
      }
      m.appendReplacement(out, Matcher.quoteReplacement(resolved));
    }
    m.appendTail(out);
    return ok ? out.toString() : null;
  }

  static boolean isNull(Node node) {
    return node instanceof ScalarNode s && s.getTag().getValue().endsWith(":null");
  }

  /** A string, optionally matching a pattern. */
  public static Type<String> string(String doc) {
    return new StringType(null, doc, false);
  }

  public static Type<String> string(String regex, String doc) {
    return new StringType(Pattern.compile(regex), doc, false);
  }

  /** A string that must not appear in logs or error messages. */
  public static Type<String> secret() {
    return new StringType(null, "a secret, best given as ${ENV_VAR}", true);
  }

  public static Type<Integer> integer(int min, int max) {
    return new IntType(min, max);
  }

  public static Type<Double> number(double min, double max) {
    return new NumberType(min, max);
  }

  public static Type<Boolean> bool() {
    return new BoolType();
  }

  public static Type<Duration> duration() {
    return new DurationType();
  }

  /** A byte size such as 64KiB or 1MiB. */
  public static Type<Long> size() {
    return new SizeType();
  }

  public static Type<String> oneOf(String... values) {
    return new EnumType(List.of(values));
  }

  private record StringType(Pattern pattern, String doc, boolean secret) implements Type<String> {
    @Override
    public String read(Node node, Reader reader) {
      String value = text(node, reader, describe());
      if (value == null) {
        return null;
      }
      if (pattern != null && !pattern.matcher(value).matches()) {
        reader.error(node, (secret ? "the value" : "'" + value + "'") + " is not " + doc,
            "it must match " + pattern.pattern());
        return null;
      }
      return value;
    }

    @Override
    public Map<String, Object> jsonSchema() {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("type", "string");
      if (pattern != null) {
        s.put("pattern", "^(" + pattern.pattern() + ")$");
      }
      return s;
    }

    @Override
    public String describe() {
      return doc;
    }
  }

  private record IntType(int min, int max) implements Type<Integer> {
    @Override
    public Integer read(Node node, Reader reader) {
      String value = text(node, reader, describe());
      if (value == null) {
        return null;
      }
      try {
        long v = Long.parseLong(value.strip().replace("_", ""));
        if (v < min || v > max) {
          reader.error(node, value + " is out of range: expected " + describe());
          return null;
        }
        return (int) v;
      } catch (NumberFormatException e) {
        reader.error(node, "'" + value + "' is not a whole number: expected " + describe());
        return null;
      }
    }

    @Override
    public Map<String, Object> jsonSchema() {
      return JsonMaps.ordered("type", "integer", "minimum", min, "maximum", max);
    }

    @Override
    public String describe() {
      return max == Integer.MAX_VALUE ? "a whole number, at least " + min
          : "a whole number from " + min + " to " + max;
    }
  }

  private record NumberType(double min, double max) implements Type<Double> {
    @Override
    public Double read(Node node, Reader reader) {
      String value = text(node, reader, describe());
      if (value == null) {
        return null;
      }
      try {
        double v = Double.parseDouble(value.strip());
        if (!(v >= min && v <= max)) {
          reader.error(node, value + " is out of range: expected " + describe());
          return null;
        }
        return v;
      } catch (NumberFormatException e) {
        reader.error(node, "'" + value + "' is not a number: expected " + describe());
        return null;
      }
    }

    @Override
    public Map<String, Object> jsonSchema() {
      return JsonMaps.ordered("type", "number", "minimum", min, "maximum", max);
    }

    @Override
    public String describe() {
      return "a number from " + fmt(min) + " to " + fmt(max);
    }

    private static String fmt(double d) {
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
  }

  private record BoolType() implements Type<Boolean> {
    @Override
    public Boolean read(Node node, Reader reader) {
      String value = text(node, reader, describe());
      if (value == null) {
        return null;
      }
      return switch (value.strip().toLowerCase(Locale.ROOT)) {
        case "true", "yes", "on" -> true;
        case "false", "no", "off" -> false;
        default -> {
          reader.error(node, "'" + value + "' is not true or false");
          yield null;
        }
      };
    }

    @Override
    public Map<String, Object> jsonSchema() {
      return JsonMaps.ordered("type", "boolean");
    }

    @Override
    public String describe() {
      return "true or false";
    }
  }

  private record DurationType() implements Type<Duration> {
    @Override
    public Duration read(Node node, Reader reader) {
      String value = text(node, reader, describe());
      if (value == null) {
        return null;
      }
      Matcher m = DURATION.matcher(value.strip());
      if (!m.matches()) {
        reader.error(node, "'" + value + "' is not a duration: expected " + describe());
        return null;
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }

    @Override
    public Map<String, Object> jsonSchema() {
      return JsonMaps.ordered("type", "string", "pattern", "^\\d+\\s*(ms|s|m|h|d)$");
    }

    @Override
    public String describe() {
      return "a duration such as 250ms, 30s, 5m, 2h or 7d";
    }
  }

  private record SizeType() implements Type<Long> {
    @Override
    public Long read(Node node, Reader reader) {
      String value = text(node, reader, describe());
      if (value == null) {
        return null;
      }
      Matcher m = SIZE.matcher(value.strip());
      if (!m.matches()) {
        reader.error(node, "'" + value + "' is not a size: expected " + describe());
        return null;
      }
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "B" : m.group(2);
      return switch (unit) {
        case "KiB" -> n << 10;
        case "MiB" -> n << 20;
        case "GiB" -> n << 30;
        case "KB" -> n * 1_000;
        case "MB" -> n * 1_000_000;
        case "GB" -> n * 1_000_000_000;
        default -> n;
      };
    }

    @Override
    public Map<String, Object> jsonSchema() {
      return JsonMaps.ordered("type", List.of("string", "integer"),
          "pattern", "^\\d+\\s*(B|KiB|MiB|GiB|KB|MB|GB)?$");
    }

    @Override
    public String describe() {
      return "a size such as 512, 64KiB or 1MiB";
    }
  }

  private record EnumType(List<String> values) implements Type<String> {
    @Override
    public String read(Node node, Reader reader) {
      String value = text(node, reader, describe());
      if (value == null) {
        return null;
      }
      if (!values.contains(value)) {
        String near = Suggestions.nearest(value, values);
        reader.error(node, "'" + value + "' is not " + describe(),
            near == null ? "" : "did you mean '" + near + "'?");
        return null;
      }
      return value;
    }

    @Override
    public Map<String, Object> jsonSchema() {
      return JsonMaps.ordered("type", "string", "enum", values);
    }

    @Override
    public String describe() {
      return values.size() == 1 ? "'" + values.get(0) + "'"
          : "one of " + String.join(", ", values.stream().map(v -> "'" + v + "'").toList());
    }
  }
}
