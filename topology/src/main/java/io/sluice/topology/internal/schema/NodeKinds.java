package io.sluice.topology.internal.schema;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Describes what a YAML node is, in words a user understands. */
final class NodeKinds {

  private NodeKinds() {}

  static String describe(Node node) {
    if (node == null) {
      return "nothing";
    }
    if (node instanceof MappingNode) {
      return "a map";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    if (node instanceof ScalarNode s) {
      if (Scalars.isNull(s)) {
        return "an empty value";
      }
      String v = s.getValue();
      return "'" + (v.length() > 40 ? v.substring(0, 40) + "..." : v) + "'";
    }
    return node.getNodeId().name();
  }
}
