package io.sluice.topology.internal.schema;

import io.sluice.topology.TopologyError;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The state of one pass over a YAML document: where we are (the path), what went wrong so far,
 * and how to look up environment variables. Types report errors here instead of throwing, so one
 * pass finds every mistake in the file.
 */
public final class Reader {

  private final String file;
  private final Function<String, String> environment;
  private final List<TopologyError> errors = new ArrayList<>();
  private final Deque<String> path = new ArrayDeque<>();

  public Reader(String file, Function<String, String> environment) {
    this.file = file;
    this.environment = environment;
  }

  public String file() {
    return file;
  }

  public List<TopologyError> errors() {
    return List.copyOf(errors);
  }

  public boolean hasErrors() {
    return !errors.isEmpty();
  }

  String env(String name) {
    return environment.apply(name);
  }

  /** Enters a field of a mapping. */
  public void enterField(String name) {
    path.addLast(path.isEmpty() ? name : "." + name);
  }

  /** Enters an element of a sequence. */
  public void enterIndex(int index) {
    path.addLast("[" + index + "]");
  }

  public void leave() {
    path.removeLast();
  }

  public String path() {
    return String.join("", path);
  }

  public void error(Node node, String message) {
    error(node, message, "");
  }

  public void error(Node node, String message, String hint) {
    Mark mark = node == null ? null : node.getStartMark();
    errors.add(new TopologyError(file, mark == null ? 0 : mark.getLine() + 1,
        mark == null ? 0 : mark.getColumn() + 1, path(), message, hint));
  }

  /** An error not tied to a node, for example a rule across fields. */
  public void error(int line, int column, String message, String hint) {
    errors.add(new TopologyError(file, line, column, path(), message, hint));
  }
}
