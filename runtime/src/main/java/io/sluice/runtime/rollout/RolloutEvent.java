package io.sluice.runtime.rollout;

import java.time.Instant;

/**
 * One step of a rollout, for the history shown by the admin API and the dashboard.
 *
 * @param at when
 * @param model the topology's model name
 * @param serving version serving when the step happened
 * @param candidate the candidate's version
 * @param state the rollout's state after this step
 * @param reason why (for decisions: the measured figures against the bounds)
 * @param shadow the figures measured so far
 */
public record RolloutEvent(Instant at, String model, String serving, String candidate,
    RolloutState state, String reason, ShadowStats shadow) {}
