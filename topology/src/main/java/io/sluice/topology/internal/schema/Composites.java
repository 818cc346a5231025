package io.sluice.topology.internal.schema;

import io.sluice.operators.Suggestions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Lists, maps with free keys, unions and conversions of other types. */
public final class Composites {

  private Composites() {}

  /** Any YAML value, read as a JSON tree (for inline JSON Schemas). */
  public static Type<com.fasterxml.jackson.databind.JsonNode> json(String doc) {
    return new JsonValueType(doc);
  }

  public static <T> Type<List<T>> listOf(Type<T> item, int minItems) {
    return new ListType<>(item, minItems);
  }

  /** A map whose keys the user chooses (label names, for example). */
  public static <T> Type<Map<String, T>> mapOf(Type<String> key, Type<T> value, int minEntries) {
    return new MapType<>(key, value, minEntries);
  }

  /**
   * One of several shapes, told apart by YAML node kind: a scalar, a list or a map. Any of the
   * three may be null when that shape is not allowed.
   */
  public static <T> Type<T> byNodeKind(String doc, Type<? extends T> scalar,
      Type<? extends T> list, Type<? extends T> map) {
    return new ByNodeKind<>(doc, scalar, list, map);
  }

  /** A map with exactly one key naming the variant, as in {@code - redact: {...}}. */
  public static <T> Type<T> oneKey(String doc, Map<String, Type<? extends T>> variants) {
    return new OneKey<>(doc, new LinkedHashMap<>(variants));
  }

  /** Reads with {@code type}, then converts; the converter reports its own errors. */
  public static <A, B> Type<B> map(Type<A> type, Converter<A, B> converter) {
    return new Mapped<>(type, converter);
  }

  /** Reads with {@code type}, then converts with a total function. */
  public static <A, B> Type<B> map(Type<A> type, Function<A, B> f) {
    return new Mapped<>(type, (value, node, reader) -> f.apply(value));
  }

  /** A conversion that may fail and report the failure. */
  @FunctionalInterface
  public interface Converter<A, B> {
    B convert(A value, Node node, Reader reader);
  }

  private record ListType<T>(Type<T> item, int minItems) implements Type<List<T>> {
    @Override
    public List<T> read(Node node, Reader reader) {
      if (!(node instanceof SequenceNode seq)) {
        reader.error(node, "expected " + describe() + ", got " + NodeKinds.describe(node));
        return null;
      }
      List<Node> nodes = seq.getValue();
      if (nodes.size() < minItems) {
        reader.error(node, "expected at least " + minItems + " item" + (minItems == 1 ? "" : "s")
            + ", got " + nodes.size());
        return null;
      }
      List<T> out = new ArrayList<>();
      boolean ok = true;
      for (int i = 0; i < nodes.size(); i++) {
        reader.enterIndex(i);
        T value = item.read(nodes.get(i), reader);
        reader.leave();
        if (value == null) {
          ok = false;
        } else {
          out.add(value);
        }
      }
      return ok ? List.copyOf(out) : null;
    }

    @Override
    public Map<String, Object> jsonSchema() {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("type", "array");
      s.put("items", item.jsonSchema());
      if (minItems > 0) {
        s.put("minItems", minItems);
      }
      return s;
    }

    @Override
    public String describe() {
      return "a list of " + item.describe();
    }

    @Override
    public List<Type<?>> children() {
      return List.of(item);
    }
  }

  private record MapType<T>(Type<String> key, Type<T> value, int minEntries)
      implements Type<Map<String, T>> {
    @Override
    public Map<String, T> read(Node node, Reader reader) {
      if (!(node instanceof MappingNode mapping)) {
        reader.error(node, "expected " + describe() + ", got " + NodeKinds.describe(node));
        return null;
      }
      if (mapping.getValue().size() < minEntries) {
        reader.error(node, "expected at least " + minEntries + " entr"
            + (minEntries == 1 ? "y" : "ies") + ", got " + mapping.getValue().size());
        return null;
      }
      Map<String, T> out = new LinkedHashMap<>();
      boolean ok = true;
      for (NodeTuple tuple : mapping.getValue()) {
        String k = key.read(tuple.getKeyNode(), reader);
        if (k == null) {
          ok = false;
          continue;
        }
        if (out.containsKey(k)) {
          reader.error(tuple.getKeyNode(), "'" + k + "' appears twice");
          ok = false;
          continue;
        }
        reader.enterField(k);
        T v = value.read(tuple.getValueNode(), reader);
        reader.leave();
        if (v == null) {
          ok = false;
        } else {
          out.put(k, v);
        }
      }
      return ok ? java.util.Collections.unmodifiableMap(out) : null;
    }

    @Override
    public Map<String, Object> jsonSchema() {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("type", "object");
      s.put("propertyNames", key.jsonSchema());
      s.put("additionalProperties", value.jsonSchema());
      if (minEntries > 0) {
        s.put("minProperties", minEntries);
      }
      return s;
    }

    @Override
    public String describe() {
      return "a map of " + key.describe() + " to " + value.describe();
    }

    @Override
    public List<Type<?>> children() {
      return List.of(key, value);
    }
  }

  private record ByNodeKind<T>(String doc, Type<? extends T> scalar, Type<? extends T> list,
      Type<? extends T> map) implements Type<T> {
    @Override
    public T read(Node node, Reader reader) {
      Type<? extends T> type = node instanceof ScalarNode ? scalar
          : node instanceof SequenceNode ? list
          : node instanceof MappingNode ? map : null;
      if (type == null) {
        reader.error(node, "expected " + describe() + ", got " + NodeKinds.describe(node));
        return null;
      }
      return type.read(node, reader);
    }

    @Override
    public Map<String, Object> jsonSchema() {
      List<Object> any = new ArrayList<>();
      for (Type<? extends T> t : alternatives()) {
        any.add(t.jsonSchema());
      }
      return JsonMaps.ordered("anyOf", any);
    }

    @Override
    public String describe() {
      return doc;
    }

    @Override
    public List<Type<?>> children() {
      return List.copyOf(alternatives());
    }

    private List<Type<? extends T>> alternatives() {
      List<Type<? extends T>> out = new ArrayList<>();
      if (scalar != null) {
        out.add(scalar);
      }
      if (list != null) {
        out.add(list);
      }
      if (map != null) {
        out.add(map);
      }
      return out;
    }
  }

  private record OneKey<T>(String doc, Map<String, Type<? extends T>> variants)
      implements Type<T> {
    @Override
    public T read(Node node, Reader reader) {
      if (!(node instanceof MappingNode mapping) || mapping.getValue().size() != 1) {
        reader.error(node, "expected " + describe() + ", got " + NodeKinds.describe(node)
            + (node instanceof MappingNode m ? " with " + m.getValue().size() + " keys" : ""),
            "write exactly one of " + String.join(", ", variants.keySet()));
        return null;
      }
      NodeTuple tuple = mapping.getValue().get(0);
      String name = Scalars.text(tuple.getKeyNode(), reader, "a name");
      if (name == null) {
        return null;
      }
      Type<? extends T> type = variants.get(name);
      if (type == null) {
        String near = Suggestions.nearest(name, variants.keySet());
        reader.error(tuple.getKeyNode(), "unknown " + doc + " '" + name + "'",
            near != null ? "did you mean '" + near + "'?"
                : "expected one of " + String.join(", ", variants.keySet()));
        return null;
      }
      reader.enterField(name);
      T value = type.read(tuple.getValueNode(), reader);
      reader.leave();
      return value;
    }

    @Override
    public Map<String, Object> jsonSchema() {
      List<Object> one = new ArrayList<>();
      variants.forEach((name, type) -> {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("type", "object");
        s.put("properties", JsonMaps.ordered(name, type.jsonSchema()));
        s.put("required", List.of(name));
        s.put("additionalProperties", false);
        one.add(s);
      });
      return JsonMaps.ordered("oneOf", one);
    }

    @Override
    public String describe() {
      return "a " + doc + " (one of " + String.join(", ", variants.keySet()) + ")";
    }

    @Override
    public List<Type<?>> children() {
      return List.copyOf(variants.values());
    }
  }

  private record Mapped<A, B>(Type<A> type, Converter<A, B> converter) implements Type<B> {
    @Override
    public B read(Node node, Reader reader) {
      A value = type.read(node, reader);
      return value == null ? null : converter.convert(value, node, reader);
    }

    @Override
    public Map<String, Object> jsonSchema() {
      return type.jsonSchema();
    }

    @Override
    public String describe() {
      return type.describe();
    }

    @Override
    public List<Type<?>> children() {
      return List.of(type);
    }
  }
}
