package io.sluice.topology.internal.schema;

import io.sluice.operators.Suggestions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

/**
 * A named map with declared fields, read into an immutable record. Unknown keys are errors (with
 * the nearest known key suggested), required fields must be present, optional ones take their
 * declared default. The record is built only when every field read cleanly; cross-field rules
 * ({@link Builder#check}) run after that and report against the field they concern.
 *
 * @param <T> the record this map becomes
 */
public final class ObjectType<T> implements Type<T> {

  /** One declared field. {@code defaultValue} is null for required fields and "no default". */
  public record Field(String name, Type<?> type, boolean required, Object defaultValue,
      String defaultText, String doc) {}

  /** What a cross-field rule sees: the values read and the nodes they came from. */
  public interface Values {
    <V> V get(String field);

    Node node(String field);

    /** The node of the whole map, for errors about the object. */
    Node node();

    boolean present(String field);
  }

  /** A rule across fields; reports with {@code reader.error(values.node(field), ...)}. */
  @FunctionalInterface
  public interface Check {
    void apply(Values values, Reader reader);
  }

  private final String name;
  private final String doc;
  private final List<Field> fields;
  private final List<Check> checks;
  private final Function<Values, T> constructor;

  private ObjectType(String name, String doc, List<Field> fields, List<Check> checks,
      Function<Values, T> constructor) {
    this.name = name;
    this.doc = doc;
    this.fields = List.copyOf(fields);
    this.checks = List.copyOf(checks);
    this.constructor = constructor;
  }

  public static Builder builder(String name, String doc) {
    return new Builder(name, doc);
  }

  public String name() {
    return name;
  }

  public String doc() {
    return doc;
  }

  public List<Field> fields() {
    return fields;
  }

  @Override
  public T read(Node node, Reader reader) {
    if (!(node instanceof MappingNode mapping)) {
      if (Scalars.isNull(node) && fields.stream().noneMatch(Field::required)) {
        return readMapping(null, node, reader);
      }
      reader.error(node, "expected " + describe() + ", got " + NodeKinds.describe(node));
      return null;
    }
    return readMapping(mapping, node, reader);
  }

  private T readMapping(MappingNode mapping, Node node, Reader reader) {
    int errorsBefore = reader.errors().size();
    Map<String, Object> values = new HashMap<>();
    Map<String, Node> nodes = new HashMap<>();
    Map<String, Field> byName = new LinkedHashMap<>();
    fields.forEach(f -> byName.put(f.name(), f));
    if (mapping != null) {
      for (NodeTuple tuple : mapping.getValue()) {
        String key = Scalars.text(tuple.getKeyNode(), reader, "a field name");
        if (key == null) {
          continue;
        }
        Field field = byName.get(key);
        if (field == null) {
          String near = Suggestions.nearest(key, byName.keySet());
          reader.error(tuple.getKeyNode(), "unknown field '" + key + "' in " + name,
              near != null ? "did you mean '" + near + "'?"
                  : "known fields: " + String.join(", ", byName.keySet()));
          continue;
        }
        if (nodes.containsKey(key)) {
          reader.error(tuple.getKeyNode(), "field '" + key + "' appears twice");
          continue;
        }
        nodes.put(key, tuple.getValueNode());
        reader.enterField(key);
        Object value = Scalars.isNull(tuple.getValueNode()) && !field.required()
            ? field.defaultValue() : field.type().read(tuple.getValueNode(), reader);
        reader.leave();
        if (value != null) {
          values.put(key, value);
        }
      }
    }
    for (Field field : fields) {
      if (!nodes.containsKey(field.name())) {
        if (field.required()) {
          reader.error(node, "missing required field '" + field.name() + "' in " + name,
              "add " + field.name() + ": " + field.type().describe());
        } else if (field.defaultValue() != null) {
          values.put(field.name(), field.defaultValue());
        }
      }
    }
    if (reader.errors().size() > errorsBefore) {
      return null;
    }
    Values view = new Values() {
      @Override
      @SuppressWarnings("unchecked")
      public <V> V get(String field) {
        if (!byName.containsKey(field)) {
          throw new IllegalArgumentException(name + " declares no field " + field);
        }
        return (V) values.get(field);
      }

      @Override
      public Node node(String field) {
        return nodes.getOrDefault(field, node);
      }

      @Override
      public Node node() {
        return node;
      }

      @Override
      public boolean present(String field) {
        return nodes.containsKey(field);
      }
    };
    for (Check check : checks) {
      check.apply(view, reader);
    }
    if (reader.errors().size() > errorsBefore) {
      return null;
    }
    return constructor.apply(view);
  }

  @Override
  public Map<String, Object> jsonSchema() {
    return JsonMaps.ordered("$ref", "#/$defs/" + name);
  }

  /** The full JSON Schema of this object, for the {@code $defs} section. */
  public Map<String, Object> definition() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("type", "object");
    s.put("description", doc);
    Map<String, Object> properties = new LinkedHashMap<>();
    List<String> required = new ArrayList<>();
    for (Field f : fields) {
      Map<String, Object> p = new LinkedHashMap<>(f.type().jsonSchema());
      if (!p.containsKey("$ref")) {
        p.put("description", f.doc());
      } else {
        p = new LinkedHashMap<>(JsonMaps.ordered("allOf", List.of(p), "description", f.doc()));
      }
      if (f.defaultText() != null) {
        p.put("default", f.defaultText());
      }
      properties.put(f.name(), p);
      if (f.required()) {
        required.add(f.name());
      }
    }
    s.put("properties", properties);
    if (!required.isEmpty()) {
      s.put("required", required);
    }
    s.put("additionalProperties", false);
    return s;
  }

  @Override
  public String describe() {
    return "a " + name + " map";
  }

  @Override
  public List<Type<?>> children() {
    return fields.stream().<Type<?>>map(Field::type).toList();
  }

  /** Declares fields one by one. */
  public static final class Builder {
    private final String name;
    private final String doc;
    private final List<Field> fields = new ArrayList<>();
    private final List<Check> checks = new ArrayList<>();

    private Builder(String name, String doc) {
      this.name = name;
      this.doc = doc;
    }

    public Builder required(String field, Type<?> type, String doc) {
      fields.add(new Field(field, type, true, null, null, doc));
      return this;
    }

    /**
     * An optional field. {@code defaultValue} is what the record gets when the field is absent
     * (null: absent stays null); {@code defaultText} is how the default reads in the docs.
     */
    public Builder optional(String field, Type<?> type, Object defaultValue, String defaultText,
        String doc) {
      fields.add(new Field(field, type, false, defaultValue, defaultText, doc));
      return this;
    }

    public Builder check(Check check) {
      checks.add(check);
      return this;
    }

    public <T> ObjectType<T> build(Function<Values, T> constructor) {
      return new ObjectType<>(name, doc, fields, checks, constructor);
    }
  }
}
