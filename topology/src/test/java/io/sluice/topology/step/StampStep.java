package io.sluice.topology.step;

import io.sluice.topology.spec.Step;

/**
 * A step kind that exists only in tests: it adds a fixed field to every record. It shows what a
 * new kind takes: this record, {@link StampKind}, and one registration line.
 */
record StampStep(String field, String value, int line) implements Step {
  @Override
  public String kind() {
    return "stamp";
  }
}
