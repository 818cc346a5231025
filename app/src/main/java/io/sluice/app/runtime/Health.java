package io.sluice.app.runtime;

import java.util.Map;

/** Health of a running topology, component by component. */
public record Health(Map<String, Component> components) {

  /**
   * @param up whether this component is healthy
   * @param state its state, for example RUNNING or CONNECTED
   * @param detail where it points, for example a broker address
   */
  public record Component(boolean up, String state, String detail) {}

  public boolean up() {
    return components.values().stream().allMatch(Component::up);
  }
}
