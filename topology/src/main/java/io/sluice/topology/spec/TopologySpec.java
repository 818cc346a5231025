package io.sluice.topology.spec;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A whole topology file, validated. Built only by {@link io.sluice.topology.TopologyLoader}.
 *
 * @param file where it was read from
 * @param kind {@code Gateway} or {@code Cloud}
 */
public record TopologySpec(
    String file,
    String apiVersion,
    Kind kind,
    Metadata metadata,
    Brokers brokers,
    Map<String, Model> models,
    List<Source> sources,
    List<Pipeline> pipelines,
    Optional<Resolve> resolve,
    Optional<CloudLink> cloud,
    Limits limits) {

  public TopologySpec {
    models = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(models));
    sources = List.copyOf(sources);
    pipelines = List.copyOf(pipelines);
  }

  /** What the topology runs as. */
  public enum Kind { GATEWAY, CLOUD }

  public Optional<Source> source(String name) {
    return sources.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  public Optional<Pipeline> pipelineFor(String source) {
    return pipelines.stream().filter(p -> p.from().equals(source)).findFirst();
  }

  /** The Kafka topic names this topology reads and writes, derived from the namespace. */
  public Topics topics() {
    return new Topics(metadata.namespace());
  }
}
