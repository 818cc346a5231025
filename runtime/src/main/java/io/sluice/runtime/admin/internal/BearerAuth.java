package io.sluice.runtime.admin.internal;

import io.sluice.runtime.admin.AdminToken;
import io.sluice.runtime.admin.JsonReplies;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.Set;

/**
 * Lets a request through when it carries {@code Authorization: Bearer <token>} with the admin
 * token, or asks for a public path ({@code /health} and the dashboard's static files, which hold
 * no data: the page asks for the token and sends it with every data request). Without a token
 * configured every request passes (the server is then bound to loopback only). The token is
 * never logged; a refusal says only what was missing.
 */
public final class BearerAuth implements Handler<RoutingContext> {

  private static final String PREFIX = "bearer ";

  private final Optional<AdminToken> token;
  private final Set<String> publicPaths;

  public BearerAuth(Optional<AdminToken> token, Set<String> publicPaths) {
    this.token = token;
    this.publicPaths = Set.copyOf(publicPaths);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (token.isEmpty() || publicPaths.contains(ctx.normalizedPath())) {
      ctx.next();
      return;
    }
    String header = ctx.request().getHeader("authorization");
    if (header != null && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
        && token.get().matches(header.substring(PREFIX.length()).strip())) {
      ctx.next();
      return;
    }
    ctx.response().putHeader("www-authenticate", "Bearer realm=\"sluice-admin\"");
    if (io.sluice.runtime.openai.OpenAiApi.serves(ctx.normalizedPath())) {
      io.sluice.runtime.openai.OpenAiApi.error(ctx, new io.sluice.runtime.openai.internal.ApiError(
          401, "invalid_request_error", header == null
              ? "You didn't provide an API key. Send it as Authorization: Bearer <key>."
              : "Incorrect API key provided.", null, "invalid_api_key"));
      return;
    }
    JsonReplies.error(ctx, 401, header == null ? "missing Authorization header"
        : "the bearer token is not the admin token", "Authorization",
        "Authorization: Bearer <the admin token>");
  }
}
