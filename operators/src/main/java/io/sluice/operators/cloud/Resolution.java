package io.sluice.operators.cloud;

/** What a {@link Resolver} made of one text. */
public sealed interface Resolution {

  /**
   * A label from the label set.
   *
   * @param confidence the resolver's probability that the label is right
   */
  record Labelled(String label, double confidence) implements Resolution {}

  /**
   * No label: the record goes to people.
   *
   * @param reason why, for the reviewer (for example "reply not in the label set after 1 retry")
   */
  record Unresolved(String reason) implements Resolution {}
}
