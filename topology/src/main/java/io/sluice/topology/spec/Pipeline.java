package io.sluice.topology.spec;

import java.util.List;

/**
 * The steps records of one source go through, and where they go after.
 *
 * @param name unique name
 * @param from the source it reads
 * @param steps operators in order (decode always runs first, configured by the source)
 * @param route ordered routing rules; first match wins
 * @param inference how model steps batch their calls
 */
public record Pipeline(String name, String from, List<Step> steps, List<RouteRule> route,
    InferenceBatching inference) {

  public Pipeline {
    steps = List.copyOf(steps);
    route = List.copyOf(route);
  }

  /** The steps of one kind, in order. */
  public <T extends Step> List<T> steps(Class<T> kind) {
    return steps.stream().filter(kind::isInstance).map(kind::cast).toList();
  }
}
