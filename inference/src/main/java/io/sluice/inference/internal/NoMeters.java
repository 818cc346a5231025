package io.sluice.inference.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

/** A registry that records nothing, for callers who pass none. */
public final class NoMeters {

  private NoMeters() {}

  public static MeterRegistry registry() {
    return new CompositeMeterRegistry();
  }
}
