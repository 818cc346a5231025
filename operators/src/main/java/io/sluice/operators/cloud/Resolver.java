package io.sluice.operators.cloud;

import java.util.concurrent.CompletableFuture;

/**
 * What the resolve operator needs from a remote model: one asynchronous call per text, many in
 * flight at once. The runtime's implementation calls an OpenAI-compatible API with retries, a
 * circuit breaker, quotas and a budget; tests use fakes. A returned future never completes
 * exceptionally: what cannot be resolved is an {@link Resolution.Unresolved} with its reason.
 */
public interface Resolver {

  String name();

  String version();

  /** How many calls one operator keeps in flight; the implementation may queue beyond its own. */
  int maxInFlight();

  /** The label of {@code text}, or why there is none. */
  CompletableFuture<Resolution> resolve(String text);
}
