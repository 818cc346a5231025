package io.sluice.runtime.admin;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.time.Clock;

/**
 * More routes for the admin server (for example {@code POST /models/{name}} for a rollout).
 * They are mounted after the built-in ones, behind the same bearer-token check, JSON body
 * parsing (1 MiB at most) and JSON error pages; answer with {@link JsonReplies} and read bodies
 * with {@link JsonRequest}. Every route must also be described in {@code openapi.yaml} (a test
 * checks).
 */
@FunctionalInterface
public interface AdminRoutes {

  /** Adds routes to {@code router}; handlers must not block the event loop. */
  void mount(Router router, Context context);

  /** What routes can use. */
  record Context(Vertx vertx, GatewayView gateway, MeterRegistry registry, Clock clock) {}
}
