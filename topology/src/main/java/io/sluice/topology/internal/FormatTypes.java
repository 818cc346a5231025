package io.sluice.topology.internal;

import static io.sluice.topology.internal.schema.Composites.listOf;
import static io.sluice.topology.internal.schema.Scalars.string;

import io.sluice.topology.internal.schema.Composites;
import io.sluice.topology.internal.schema.ObjectType;
import io.sluice.topology.internal.schema.Type;
import io.sluice.topology.spec.Step;
import java.util.List;

/** Types the topology format and the step kinds' shapes share: names, model references, labels. */
public final class FormatTypes {

  private FormatTypes() {}

  public static final String NAME = "[a-z][a-z0-9-]{0,62}";

  public static final Type<String> NAME_TYPE =
      string(NAME, "a name of lower-case letters, digits and '-', starting with a letter");

  public static final Type<String> MODEL_REF = NAME_TYPE;

  public static final ObjectType<Step.Label> LABEL = ObjectType.builder("Label",
          "A label: what it means and texts that belong to it.")
      .optional("description", string("text"), null, null,
          "What the label means, in a sentence; used as an example too.")
      .optional("examples", listOf(string("text"), 0), List.of(), "[]",
          "Texts that belong to the label.")
      .check((v, reader) -> {
        if (v.get("description") == null && v.<List<String>>get("examples").isEmpty()) {
          reader.error(v.node(), "a label needs a description or examples",
              "add description: ... or examples: [...]");
        }
      })
      .build(v -> new Step.Label(v.get("description"), v.get("examples")));

  public static final Type<Step.Label> LABEL_VALUE = Composites.byNodeKind(
      "a list of example texts, or a map with description and examples",
      Composites.map(string("a description"), d -> new Step.Label(d, List.of())),
      Composites.map(listOf(string("text"), 1), e -> new Step.Label(null, e)),
      LABEL);

  /** The line a value starts on (1-based), or 0 when unknown. */
  public static int line(ObjectType.Values v) {
    return v.node() == null || v.node().getStartMark() == null ? 0
        : v.node().getStartMark().getLine() + 1;
  }
}
