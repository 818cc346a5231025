package io.sluice.runtime.admin;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A JSON request body, read field by field; every mistake becomes an
 * {@link AdminRequestException} that names the field and what was expected.
 */
public final class JsonRequest {

  private final JsonObject body;

  private JsonRequest(JsonObject body) {
    this.body = body;
  }

  /** The body of {@code ctx}, which must be {@code application/json} holding one object. */
  public static JsonRequest of(RoutingContext ctx) {
    String type = ctx.request().getHeader("content-type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw new AdminRequestException(415, "content-type", "the body must be JSON, got "
          + (type == null ? "no content-type" : "'" + type + "'"), "application/json");
    }
    if (ctx.body() == null || ctx.body().length() == 0) {
      throw new AdminRequestException(400, null, "the body is empty", "a JSON object");
    }
    try {
      Object value = io.vertx.core.json.Json.decodeValue(ctx.body().buffer());
      if (!(value instanceof JsonObject object)) {
        throw new AdminRequestException(400, null, "the body is not a JSON object",
            "a JSON object such as {\"texts\": [\"...\"]}");
      }
      return new JsonRequest(object);
    } catch (DecodeException e) {
      throw new AdminRequestException(400, null, "the body is not valid JSON: "
          + e.getMessage(), "a JSON object");
    }
  }

  /** Refuses fields other than {@code known}, naming the first unknown one. */
  public JsonRequest onlyFields(Set<String> known) {
    for (String name : body.fieldNames()) {
      if (!known.contains(name)) {
        throw new AdminRequestException(400, name, "unknown field '" + name + "'",
            "one of " + new TreeSet<>(known));
      }
    }
    return this;
  }

  /** A required array of 1 to {@code maxItems} non-blank strings of at most {@code maxChars}. */
  public List<String> texts(String field, int maxItems, int maxChars) {
    Object value = body.getValue(field);
    if (value == null) {
      throw new AdminRequestException(400, field, "missing field '" + field + "'",
          "an array of 1 to " + maxItems + " non-empty strings");
    }
    if (!(value instanceof JsonArray array)) {
      throw new AdminRequestException(400, field, "'" + field + "' is not an array",
          "an array of 1 to " + maxItems + " non-empty strings");
    }
    if (array.isEmpty() || array.size() > maxItems) {
      throw new AdminRequestException(400, field, "'" + field + "' has " + array.size()
          + " items", "1 to " + maxItems + " items");
    }
    List<String> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      Object item = array.getValue(i);
      String where = field + "[" + i + "]";
      if (!(item instanceof String text) || text.isBlank()) {
        throw new AdminRequestException(400, where, where + " is "
            + (item instanceof String ? "blank" : item == null ? "null" : "not a string"),
            "a non-empty string");
      }
      if (text.length() > maxChars) {
        throw new AdminRequestException(400, where, where + " has " + text.length()
            + " characters", "at most " + maxChars);
      }
      out.add(text);
    }
    return out;
  }

  /** An optional string field. */
  public Optional<String> optionalString(String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String text)) {
      throw new AdminRequestException(400, field, "'" + field + "' is not a string", "a string");
    }
    return Optional.of(text);
  }

  /** The raw object, for routes with richer bodies. */
  public JsonObject json() {
    return body;
  }
}
