package io.sluice.runtime;

import java.util.Map;

/** Health of a running topology, component by component. */
public record Health(Map<String, Component> components) {

  /**
   * @param up whether this component is healthy
   * @param state its state, for example RUNNING or CONNECTED
   * @param detail where it points, for example a broker address
   * @param critical whether the topology is down when this component is (the streams and the
   *     ingress are; the egress and the cloud link are not: records wait in Kafka for them)
   */
  public record Component(boolean up, String state, String detail, boolean critical) {}

  /** Every critical component is up. */
  public boolean up() {
    return components.values().stream().filter(Component::critical).allMatch(Component::up);
  }

  /** Up, and every other component too. */
  public boolean fullyUp() {
    return components.values().stream().allMatch(Component::up);
  }
}
