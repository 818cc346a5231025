package io.sluice.topology.spec;

import java.time.Duration;

/**
 * What a cloud topology does with forwarded records.
 *
 * @param from topic of forwarded records (a gateway's {@code <namespace>.forward}, moved to the
 *     cloud cluster by the cloud link)
 * @param classify how the cloud labels them (a stronger model, more examples)
 * @param dedupeRetention how long event ids are remembered to drop duplicates
 * @param feedbackMinConfidence verdicts at least this confident go back to gateways as feedback
 * @param feedbackTopic where feedback goes
 */
public record Resolve(String from, Step.Classify classify, Duration dedupeRetention,
    double feedbackMinConfidence, String feedbackTopic) {}
