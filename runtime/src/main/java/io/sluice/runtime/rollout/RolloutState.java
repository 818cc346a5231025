package io.sluice.runtime.rollout;

/** Where a rollout is. */
public enum RolloutState {
  /** No candidate: the serving model runs alone. */
  IDLE,
  /** A candidate runs beside the serving model on live traffic; its results are not used. */
  SHADOW,
  /** The candidate passed and now serves. */
  PROMOTED,
  /** The candidate crossed a bound and was dropped; the previous model kept serving. */
  ROLLED_BACK
}
