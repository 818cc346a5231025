package io.sluice.topology.step;

import org.apache.kafka.streams.Topology;

/** The processors one step adds to a pipeline's chain, between its parent and the next step. */
@FunctionalInterface
public interface StepOperator {

  /** Adds the step's processor under {@code name}, reading from the node {@code parent}. */
  void addTo(Topology topology, String name, String parent);

  /**
   * The node the next step must be named, when this operator forwards to a child with a fixed
   * name; null when the next step may take its own name.
   */
  default String forwardsTo(String name) {
    return null;
  }

  /**
   * The node that sends records to the dead-letter sink (which the builder then connects to it);
   * null when none.
   */
  default String deadLettersFrom(String name) {
    return null;
  }

  /** The node that writes per-window summaries to the summaries topic; null when none. */
  default String summariesFrom(String name) {
    return null;
  }
}
