package io.sluice.topology.internal.schema;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Generates the editor JSON Schema and the Markdown reference from the same declarations the
 * reader uses, so the three can never disagree.
 */
public final class SchemaDocs {

  private SchemaDocs() {}

  /** Every named object reachable from {@code root}, in the order first met. */
  public static Map<String, ObjectType<?>> objects(Type<?> root) {
    Map<String, ObjectType<?>> found = new LinkedHashMap<>();
    Deque<Type<?>> todo = new ArrayDeque<>();
    todo.add(root);
    java.util.Set<Type<?>> seen = java.util.Collections.newSetFromMap(
        new java.util.IdentityHashMap<>());
    while (!todo.isEmpty()) {
      Type<?> t = todo.removeFirst();
      if (!seen.add(t)) {
        continue;
      }
      if (t instanceof ObjectType<?> o) {
        found.putIfAbsent(o.name(), o);
      }
      todo.addAll(t.children());
    }
    return found;
  }

  /** A JSON Schema (draft 2020-12) document as nested maps and lists. */
  public static Map<String, Object> jsonSchema(ObjectType<?> root, String id, String title) {
    Map<String, Object> schema = new LinkedHashMap<>();
    schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    schema.put("$id", id);
    schema.put("title", title);
    schema.put("$ref", "#/$defs/" + root.name());
    Map<String, Object> defs = new LinkedHashMap<>();
    objects(root).forEach((name, type) -> defs.put(name, type.definition()));
    schema.put("$defs", defs);
    return schema;
  }

  /** A Markdown reference: one section per object, one table row per field. */
  public static String markdown(ObjectType<?> root, String title, String intro) {
    StringBuilder md = new StringBuilder();
    md.append("# ").append(title).append("\n\n").append(intro).append("\n");
    for (ObjectType<?> o : objects(root).values()) {
      md.append("\n## ").append(o.name()).append("\n\n").append(o.doc()).append("\n\n");
      md.append("| field | value | required / default | meaning |\n");
      md.append("|---|---|---|---|\n");
      for (ObjectType.Field f : o.fields()) {
        String value = f.type() instanceof ObjectType<?> ot ? "[" + ot.name() + "](#"
            + ot.name().toLowerCase() + ")" : f.type().describe();
        md.append("| `").append(f.name()).append("` | ").append(cell(value)).append(" | ")
            .append(f.required() ? "required"
                : f.defaultText() == null ? "optional" : "`" + f.defaultText() + "`")
            .append(" | ").append(cell(f.doc())).append(" |\n");
      }
    }
    return md.toString();
  }

  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
