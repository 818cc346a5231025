package io.sluice.runtime.admin.internal;

import io.sluice.runtime.admin.AdminRequestException;
import io.sluice.runtime.admin.GatewayView;
import io.sluice.runtime.admin.JsonReplies;
import io.sluice.runtime.admin.JsonRequest;
import io.sluice.runtime.review.ReviewQueue;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /v1/review} and {@code POST /v1/review/{id}}: the review queue for people. A
 * decision is written to Kafka (decision, audit, feedback in one transaction) on a worker thread;
 * 200 when recorded, 409 when the item was decided already, 404 when unknown, 400 for a bad body.
 */
public final class ReviewResource {

  static final int MAX_LABEL = 200;

  private final Vertx vertx;
  private final GatewayView gateway;

  public ReviewResource(Vertx vertx, GatewayView gateway) {
    this.vertx = vertx;
    this.gateway = gateway;
  }

  private ReviewQueue queue() {
    return gateway.review().orElseThrow(() -> new AdminRequestException(503, null,
        "this topology has no review queue (yet)", "wait until it is running"));
  }

  public void list(RoutingContext ctx) {
    int limit = 50;
    String given = ctx.queryParams().get("limit");
    if (given != null) {
      try {
        limit = Integer.parseInt(given);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > 1000) {
        throw new AdminRequestException(400, "limit", "limit must be a whole number from 1 to"
            + " 1000, got '" + given + "'", null);
      }
    }
    ReviewQueue queue = queue();
    List<Map<String, Object>> items = new ArrayList<>();
    for (ReviewQueue.Item item : queue.pending(limit)) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", item.id());
      m.put("text", item.text());
      m.put("source", item.source());
      m.put("deviceId", item.deviceId());
      m.put("time", item.time() == null ? null : item.time().toString());
      m.put("queuedAt", item.queuedAt().toString());
      m.put("reason", item.reason());
      m.put("label", item.label());
      m.put("confidence", item.confidence());
      List<Map<String, Object>> candidates = new ArrayList<>();
      item.candidates().forEach(c -> {
        Map<String, Object> cm = new LinkedHashMap<>();
        cm.put("label", c.label());
        cm.put("confidence", c.confidence());
        candidates.add(cm);
      });
      m.put("candidates", candidates);
      if (!item.gateway().isEmpty()) {
        m.put("gateway", item.gateway());
      }
      items.add(m);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("items", items);
    body.put("pending", queue.pendingCount());
    body.put("decided", queue.decidedCount());
    body.put("labelled", queue.labelledCount());
    JsonReplies.ok(ctx, body);
  }

  public void decide(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    JsonRequest request = JsonRequest.of(ctx).onlyFields(Set.of("label", "reject", "reviewer"));
    String reviewer = request.optionalString("reviewer").map(String::strip)
        .filter(r -> !r.isEmpty()).orElseThrow(() -> new AdminRequestException(400, "reviewer",
            "missing field 'reviewer'", "who decides, for the audit topic"));
    Optional<String> label = request.optionalString("label").map(String::strip);
    boolean reject = Boolean.TRUE.equals(request.json().getValue("reject"));
    if (label.isPresent() == reject) {
      throw new AdminRequestException(400, "label", "give either a label or \"reject\": true",
          "{\"label\": \"hydraulic\", \"reviewer\": \"ana\"}");
    }
    if (label.isPresent() && (label.get().isEmpty() || label.get().length() > MAX_LABEL)) {
      throw new AdminRequestException(400, "label", "a label has 1 to " + MAX_LABEL
          + " characters", null);
    }
    ReviewQueue queue = queue();
    ReviewQueue.Decision decision = new ReviewQueue.Decision(label, reviewer);
    vertx.executeBlocking(() -> queue.decide(id, decision), false).onComplete(done -> {
      if (done.failed()) {
        JsonReplies.error(ctx, 503, done.cause().getMessage(), null, "try again");
        return;
      }
      switch (done.result()) {
        case UNKNOWN -> JsonReplies.error(ctx, 404, "no review item '" + id + "'", "id",
            "GET /v1/review lists the pending ones");
        case ALREADY_DECIDED -> JsonReplies.error(ctx, 409, "review item '" + id
            + "' was decided already", "id", null);
        default -> {
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("id", id);
          body.put("label", label.orElse(null));
          body.put("rejected", reject);
          body.put("reviewer", reviewer);
          body.put("pending", queue.pendingCount());
          JsonReplies.ok(ctx, body);
        }
      }
    });
  }
}
