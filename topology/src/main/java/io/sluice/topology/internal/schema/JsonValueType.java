package io.sluice.topology.internal.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Any YAML value read as JSON (for an inline JSON Schema): mappings become objects, sequences
 * arrays, and scalars keep the type YAML resolved (integers, floats, booleans, null, strings).
 * Keys must be strings; anchors and tags beyond the core schema are refused with the line.
 */
record JsonValueType(String doc) implements Type<JsonNode> {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @Override
  public JsonNode read(Node node, Reader reader) {
    return convert(node, reader);
  }

  private static JsonNode convert(Node node, Reader reader) {
    if (node instanceof MappingNode mapping) {
      ObjectNode out = NODES.objectNode();
      for (NodeTuple tuple : mapping.getValue()) {
        if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
          reader.error(tuple.getKeyNode(), "a JSON object key must be text", null);
          return null;
        }
        JsonNode value = convert(tuple.getValueNode(), reader);
        if (value == null) {
          return null;
        }
        out.set(key.getValue(), value);
      }
      return out;
    }
    if (node instanceof SequenceNode sequence) {
      ArrayNode out = NODES.arrayNode();
      for (Node item : sequence.getValue()) {
        JsonNode value = convert(item, reader);
        if (value == null) {
          return null;
        }
        out.add(value);
      }
      return out;
    }
    ScalarNode scalar = (ScalarNode) node;
    String text = scalar.getValue();
    Tag tag = scalar.getTag();
    try {
      if (Tag.INT.equals(tag)) {
        return NODES.numberNode(new BigInteger(text.replace("_", "")));
      }
      if (Tag.FLOAT.equals(tag)) {
        return NODES.numberNode(new BigDecimal(text.replace("_", "")));
      }
    } catch (NumberFormatException e) {
      reader.error(node, "'" + text + "' is not a JSON number", "quote it to make it text");
      return null;
    }
    if (Tag.BOOL.equals(tag)) {
      return NODES.booleanNode(Boolean.parseBoolean(text.toLowerCase(java.util.Locale.ROOT)));
    }
    if (Tag.NULL.equals(tag)) {
      return NODES.nullNode();
    }
    return NODES.textNode(text);
  }

  @Override
  public Map<String, Object> jsonSchema() {
    return JsonMaps.ordered("description", doc);
  }

  @Override
  public String describe() {
    return doc;
  }
}
