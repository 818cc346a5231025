package io.sluice.topology.step;

/** Where a step kind's checks report mistakes; each is shown with the step's file and line. */
@FunctionalInterface
public interface StepProblems {

  /**
   * @param message what is wrong
   * @param hint what to do about it
   */
  void error(String message, String hint);
}
