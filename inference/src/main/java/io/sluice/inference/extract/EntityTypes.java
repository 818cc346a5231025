package io.sluice.inference.extract;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.inference.internal.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An entity type hierarchy, read from MaintIE's {@code scheme.json} or taken from the types a
 * data set uses. A type is a path such as {@code State/UndesirableState/FailedState}; its type at
 * level N is its first N parts (level 1 of MaintIE has five classes: PhysicalObject, Activity,
 * State, Process, Property). Types keep the order the scheme lists them in.
 */
public final class EntityTypes {

  private final List<String> types;
  private final Set<String> known;

  private EntityTypes(List<String> types) {
    this.types = List.copyOf(types);
    this.known = Set.copyOf(types);
  }

  /** Every type {@code types} lists, and every ancestor of one, in first-seen order. */
  public static EntityTypes of(List<String> types) {
    Set<String> all = new LinkedHashSet<>();
    for (String type : types) {
      String[] parts = split(type);
      for (int level = 1; level <= parts.length; level++) {
        all.add(String.join("/", Arrays.copyOf(parts, level)));
      }
    }
    return new EntityTypes(new ArrayList<>(all));
  }

  /**
   * Reads the {@code entity} tree of a MaintIE-style {@code scheme.json}: nodes with a
   * {@code name} and {@code children}.
   *
   * @throws IllegalArgumentException naming the file and the node that is not as expected
   */
  public static EntityTypes readScheme(Path file) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read the type scheme: "
          + e.getMessage(), e);
    }
    JsonNode entity = root == null ? null : root.get("entity");
    if (entity == null || !entity.isArray()) {
      throw new IllegalArgumentException(file + ": expected an object with an \"entity\" array "
          + "of type nodes ({\"name\": ..., \"children\": [...]})");
    }
    List<String> types = new ArrayList<>();
    for (int i = 0; i < entity.size(); i++) {
      walk(file, "entity[" + i + "]", entity.get(i), "", types);
    }
    return new EntityTypes(types);
  }

  private static void walk(Path file, String where, JsonNode node, String parent,
      List<String> out) {
    JsonNode name = node.get("name");
    if (name == null || !name.isTextual() || name.asText().isBlank()
        || name.asText().contains("/")) {
      throw new IllegalArgumentException(file + ": " + where + ".name: expected a type name "
          + "without '/', got " + name);
    }
    String full = parent.isEmpty() ? name.asText() : parent + "/" + name.asText();
    out.add(full);
    JsonNode children = node.get("children");
    if (children != null && children.isArray()) {
      for (int i = 0; i < children.size(); i++) {
        walk(file, where + ".children[" + i + "]", children.get(i), full, out);
      }
    }
  }

  /** The type at {@code level}: its first {@code level} parts (the type itself if shorter). */
  public static String atLevel(String type, int level) {
    if (level < 1) {
      throw new IllegalArgumentException("level must be at least 1, got " + level);
    }
    int cut = -1;
    for (int i = 0; i < level; i++) {
      cut = type.indexOf('/', cut + 1);
      if (cut < 0) {
        return type;
      }
    }
    return type.substring(0, cut);
  }

  /** Every type, in scheme order. */
  public List<String> all() {
    return types;
  }

  /** The distinct types at {@code level}, in scheme order. */
  public List<String> atLevel(int level) {
    Set<String> out = new LinkedHashSet<>();
    for (String type : types) {
      out.add(atLevel(type, level));
    }
    return List.copyOf(out);
  }

  /** The number of parts of the longest type. */
  public int depth() {
    int depth = 0;
    for (String type : types) {
      depth = Math.max(depth, split(type).length);
    }
    return depth;
  }

  public boolean contains(String type) {
    return known.contains(type);
  }

  private static String[] split(String type) {
    Objects.requireNonNull(type, "type");
    String[] parts = type.split("/", -1);
    for (String part : parts) {
      if (part.isBlank()) {
        throw new IllegalArgumentException("type '" + type + "' has an empty part");
      }
    }
    return parts;
  }
}
