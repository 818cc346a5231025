package io.sluice.topology.internal.schema;

import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/**
 * A declared kind of value in a topology file. One declaration serves three purposes: reading and
 * validating YAML (reporting errors to a {@link Reader}), generating the editor JSON Schema, and
 * generating the reference documentation.
 *
 * @param <T> what a valid node becomes
 */
public interface Type<T> {

  /** Reads {@code node}; on a mistake, reports it to {@code reader} and returns null. */
  T read(Node node, Reader reader);

  /** This type as a JSON Schema fragment (maps, lists, strings, numbers, booleans). */
  Map<String, Object> jsonSchema();

  /** A short phrase for documentation and errors, for example "a duration such as 500ms". */
  String describe();

  /** The types this one is made of, so generators can walk the whole declaration. */
  default List<Type<?>> children() {
    return List.of();
  }
}
