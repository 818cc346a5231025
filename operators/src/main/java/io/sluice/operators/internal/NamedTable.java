package io.sluice.operators.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Built-in patterns by name, in documentation order; each name stands for one or more rules.
 *
 * @param <R> the kind of rule
 */
public final class NamedTable<R> {

  private final Map<String, List<R>> rules;

  public NamedTable(Map<String, List<R>> rules) {
    this.rules = Collections.unmodifiableMap(new LinkedHashMap<>(rules));
  }

  /** The names, in the order given. */
  public List<String> names() {
    return List.copyOf(rules.keySet());
  }

  /** The rules behind {@code name}, or null when the name is unknown. */
  public List<R> rules(String name) {
    return rules.get(name);
  }
}
