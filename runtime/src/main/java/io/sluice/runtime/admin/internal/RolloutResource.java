package io.sluice.runtime.admin.internal;

import io.sluice.inference.BundleException;
import io.sluice.inference.UntrustedBundleException;
import io.sluice.runtime.admin.AdminRequestException;
import io.sluice.runtime.admin.GatewayView;
import io.sluice.runtime.admin.JsonReplies;
import io.sluice.runtime.admin.JsonRequest;
import io.sluice.runtime.rollout.RolloutModel;
import io.sluice.runtime.rollout.RolloutPolicy;
import io.sluice.runtime.rollout.RolloutState;
import io.sluice.topology.spec.Model;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /models/{name}}: rolls a new bundle out to a model of the topology. The body names
 * the bundle (a folder, relative to the topology file, or {@code classpath:<name>}) and may change
 * any bound of the {@link RolloutPolicy}; the rest keep the model's {@code rollout} settings in
 * the topology file. The bundle must pass the
 * model's trust settings (trusted keys, allowUnsigned) like the one the topology pins; a refused
 * bundle changes nothing and the serving model keeps serving.
 *
 * <p>The candidate is trained on a worker thread (seconds); the answer comes once it shadows
 * live traffic (202), so a refusal is the answer to the request that caused it: 422 for a bundle
 * that cannot be trusted or read, 409 while the model is already rolling out, 404 for a model the
 * topology does not have. The decision comes later and shows in {@code GET /models}.
 */
public final class RolloutResource {

  private static final Logger log = LoggerFactory.getLogger(RolloutResource.class);
  private static final Set<String> POLICY_FIELDS = Set.of("shadowRecords", "maxLatencyRatio",
      "maxErrorRate", "minAgreement", "maxConfidenceDrift");

  private final Vertx vertx;
  private final GatewayView gateway;

  public RolloutResource(Vertx vertx, GatewayView gateway) {
    this.vertx = vertx;
    this.gateway = gateway;
  }

  public void rollout(RoutingContext ctx) {
    String model = ctx.pathParam("name");
    JsonRequest request = JsonRequest.of(ctx).onlyFields(Set.of("bundle", "policy"));
    String bundle = request.optionalString("bundle").filter(b -> !b.isBlank())
        .orElseThrow(() -> new AdminRequestException(400, "bundle", "missing field 'bundle'",
            "a bundle folder (relative to the topology file) or classpath:<name>"));
    Model declared = gateway.spec().models().get(model);
    if (declared == null) {
      throw new AdminRequestException(404, "name", "no model '" + model + "'",
          "one of " + gateway.spec().models().keySet());
    }
    RolloutPolicy policy = policy(request.json().getValue("policy"),
        RolloutPolicy.of(declared.rollout()));
    gateway.slots().values().stream()
        .filter(s -> s.topologyName().equals(model) && s.state() == RolloutState.SHADOW)
        .findFirst().ifPresent(s -> {
          throw new AdminRequestException(409, "name", "model '" + model
              + "' is already rolling out " + s.candidate().map(c -> c.name() + "@"
                  + c.version()).orElse("a candidate"), "wait for its decision in GET /models");
        });
    log.info("Rollout of bundle {} to model {} requested over the admin API", bundle, model);
    vertx.executeBlocking(() -> gateway.rollout(model, bundle, policy), false)
        .onComplete(done -> {
          if (done.failed()) {
            refuse(ctx, model, bundle, done.cause());
            return;
          }
          List<RolloutModel> slots = done.result();
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("model", model);
          body.put("bundle", bundle);
          body.put("state", RolloutState.SHADOW.name());
          body.put("serving", slots.get(0).version());
          body.put("candidate", slots.get(0).candidate().map(c -> c.name() + "@" + c.version())
              .orElse(null));
          body.put("slots", slots.size());
          body.put("policy", describe(policy));
          JsonReplies.send(ctx, 202, body);
        });
  }

  private static void refuse(RoutingContext ctx, String model, String bundle, Throwable e) {
    if (e instanceof AdminRequestException a) {
      JsonReplies.error(ctx, a);
    } else if (e instanceof BundleException) {
      log.warn("Rollout of bundle {} to model {} refused: {}", bundle, model, e.getMessage());
      JsonReplies.error(ctx, 422, e.getMessage(), "bundle", e instanceof UntrustedBundleException
          ? "a bundle signed by one of the model's trustedKeys (or allowUnsigned: true)"
          : "a readable bundle whose files match its manifest");
    } else if (e instanceof IllegalStateException) {
      JsonReplies.error(ctx, 409, e.getMessage(), "name", "wait for its decision in GET /models");
    } else if (e instanceof IllegalArgumentException) {
      JsonReplies.error(ctx, 404, e.getMessage(), "name", "a model a classify step uses");
    } else {
      ctx.fail(e);
    }
  }

  /** The policy of the body: the model's configured bounds with the fields it gives. */
  private static RolloutPolicy policy(Object value, RolloutPolicy d) {
    if (value == null) {
      return d;
    }
    if (!(value instanceof JsonObject p)) {
      throw new AdminRequestException(400, "policy", "'policy' is not an object",
          "an object with some of " + POLICY_FIELDS);
    }
    for (String name : p.fieldNames()) {
      if (!POLICY_FIELDS.contains(name)) {
        throw new AdminRequestException(400, "policy." + name, "unknown field 'policy." + name
            + "'", "one of " + POLICY_FIELDS);
      }
    }
    try {
      return new RolloutPolicy(
          (int) number(p, "shadowRecords", d.shadowRecords()),
          number(p, "maxLatencyRatio", d.maxLatencyRatio()),
          number(p, "maxErrorRate", d.maxErrorRate()),
          number(p, "minAgreement", d.minAgreement()),
          number(p, "maxConfidenceDrift", d.maxConfidenceDrift()));
    } catch (IllegalArgumentException e) {
      throw new AdminRequestException(400, "policy", e.getMessage(),
          "shadowRecords >= 1, maxLatencyRatio > 0, the rest in [0, 1]");
    }
  }

  private static double number(JsonObject policy, String field, double fallback) {
    Object value = policy.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number n)) {
      throw new AdminRequestException(400, "policy." + field, "'policy." + field
          + "' is not a number", "a number");
    }
    return n.doubleValue();
  }

  private static Map<String, Object> describe(RolloutPolicy p) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("shadowRecords", p.shadowRecords());
    out.put("maxLatencyRatio", p.maxLatencyRatio());
    out.put("maxErrorRate", p.maxErrorRate());
    out.put("minAgreement", p.minAgreement());
    out.put("maxConfidenceDrift", p.maxConfidenceDrift());
    return out;
  }
}
