package io.sluice.topology.step;

import io.sluice.topology.spec.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The step kinds a loader accepts and a builder builds, in the order the reference docs list
 * them. Immutable; {@link #with} returns a copy with one more kind.
 */
public final class StepKinds {

  private static final StepKinds BUILT_IN = new StepKinds(List.of(
      new RedactKind(),
      new ClassifyKind(),
      new ExtractKind(),
      new NoveltyKind(),
      new GenerateKind(),
      new WindowKind()));

  private final List<StepKind<?>> kinds;

  private StepKinds(List<StepKind<?>> kinds) {
    this.kinds = List.copyOf(kinds);
  }

  /** The kinds Sluice ships. */
  public static StepKinds builtIn() {
    return BUILT_IN;
  }

  /**
   * These kinds and {@code kind}.
   *
   * @throws IllegalArgumentException when a kind of that name or record type is registered
   */
  public StepKinds with(StepKind<?> kind) {
    for (StepKind<?> k : kinds) {
      if (k.name().equals(kind.name()) || k.stepType().equals(kind.stepType())) {
        throw new IllegalArgumentException("A step kind '" + k.name() + "' ("
            + k.stepType().getSimpleName() + ") is registered already");
      }
    }
    List<StepKind<?>> more = new ArrayList<>(kinds);
    more.add(kind);
    return new StepKinds(more);
  }

  public List<StepKind<?>> all() {
    return kinds;
  }

  /** The shape of each kind, by its YAML key. */
  public Map<String, StepKind<?>> byName() {
    Map<String, StepKind<?>> byName = new LinkedHashMap<>();
    kinds.forEach(k -> byName.put(k.name(), k));
    return byName;
  }

  /**
   * The kind of {@code step}.
   *
   * @throws IllegalArgumentException when no registered kind reads into the step's type
   */
  @SuppressWarnings("unchecked")
  public <S extends Step> StepKind<S> of(S step) {
    for (StepKind<?> k : kinds) {
      if (k.stepType().isInstance(step)) {
        return (StepKind<S>) k;
      }
    }
    throw new IllegalArgumentException("No step kind is registered for "
        + step.getClass().getName());
  }
}
