package io.sluice.topology;

import java.util.List;
import java.util.stream.Collectors;

/** A topology file that cannot be used; carries every mistake found, not just the first. */
public final class TopologyException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient List<TopologyError> errors;

  public TopologyException(List<TopologyError> errors) {
    super("Invalid topology: " + errors.size() + (errors.size() == 1 ? " error" : " errors")
        + "\n" + errors.stream().map(e -> "  " + e).collect(Collectors.joining("\n")));
    this.errors = List.copyOf(errors);
  }

  public List<TopologyError> errors() {
    return errors;
  }
}
