package io.sluice.runtime.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The admin API's JSON answers. Errors all have one shape:
 * {@code {"error": {"status": 400, "message": "...", "field": "texts[1]", "expected": "..."}}}.
 */
public final class JsonReplies {

  private static final ObjectMapper JSON = new ObjectMapper()
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private JsonReplies() {}

  /** 200 with {@code body} as JSON. */
  public static void ok(RoutingContext ctx, Object body) {
    send(ctx, 200, body);
  }

  public static void send(RoutingContext ctx, int status, Object body) {
    String text;
    try {
      text = JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      ctx.fail(e);
      return;
    }
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status)
        .putHeader("content-type", "application/json; charset=utf-8")
        .putHeader("cache-control", "no-store")
        .end(text);
  }

  /** An error answer; {@code field} and {@code expected} may be null. */
  public static void error(RoutingContext ctx, int status, String message, String field,
      String expected) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("status", status);
    error.put("message", message);
    if (field != null) {
      error.put("field", field);
    }
    if (expected != null) {
      error.put("expected", expected);
    }
    send(ctx, status, Map.of("error", error));
  }

  public static void error(RoutingContext ctx, AdminRequestException e) {
    error(ctx, e.status(), e.getMessage(), e.field(), e.expected());
  }
}
