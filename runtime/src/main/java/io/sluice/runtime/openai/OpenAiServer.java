package io.sluice.runtime.openai;

import io.sluice.runtime.admin.AdminSettings;
import io.sluice.runtime.admin.internal.BearerAuth;
import io.sluice.runtime.openai.internal.ApiError;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-alone OpenAI-compatible server ({@code sluice serve}): the bearer-token check (every
 * path but {@code /health}; errors in OpenAI's shape), JSON bodies up to 4 MiB, {@code GET
 * /health}, and {@link OpenAiApi}. One event loop; model work runs on the engines' threads.
 */
public final class OpenAiServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OpenAiServer.class);
  private static final int BODY_LIMIT = 4 << 20;

  private final Vertx vertx;
  private final HttpServer server;
  private final AdminSettings settings;

  private OpenAiServer(Vertx vertx, HttpServer server, AdminSettings settings) {
    this.vertx = vertx;
    this.server = server;
    this.settings = settings;
  }

  /** Starts serving {@code models} where {@code settings} say (host, port, token, TLS). */
  public static OpenAiServer start(AdminSettings settings, ServedModels models,
      OpenAiApi.Settings api, Clock clock) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2));
    try {
      Router router = Router.router(vertx);
      router.route().handler(new BearerAuth(settings.token(), Set.of("/health")));
      router.route().handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
      router.get("/health").handler(ctx -> ctx.response()
          .putHeader("content-type", "application/json").end("{\"status\":\"UP\"}"));
      new OpenAiApi(models, api, clock, new java.security.SecureRandom()::nextLong)
          .mount(router);
      router.errorHandler(404, ctx -> OpenAiApi.error(ctx, new ApiError(404,
          "invalid_request_error", "Unknown request URL: " + ctx.request().method() + " "
              + ctx.request().path(), null, "unknown_url")));
      router.errorHandler(405, ctx -> OpenAiApi.error(ctx, new ApiError(405,
          "invalid_request_error", ctx.request().method() + " is not allowed on "
              + ctx.request().path(), null, null)));
      router.errorHandler(413, ctx -> OpenAiApi.error(ctx, new ApiError(413,
          "invalid_request_error", "The request body is larger than " + BODY_LIMIT + " bytes",
          null, null)));
      router.errorHandler(500, ctx -> OpenAiApi.error(ctx, new ApiError(500, "server_error",
          "The server had an error while processing your request", null, null)));
      HttpServerOptions options = settings.serverOptions();
      HttpServer server = vertx.createHttpServer(options).requestHandler(router).listen()
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      log.info("OpenAI-compatible API listening on {}://{}:{}/v1 ({})", settings.scheme(),
          settings.host(), server.actualPort(), settings.token().isPresent()
              ? "bearer token from " + settings.token().get().origin()
              : "no token: loopback only, for development");
      return new OpenAiServer(vertx, server, settings);
    } catch (Exception e) {
      vertx.close();
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      throw new IllegalStateException("Cannot start the server on " + settings.host() + ":"
          + settings.port() + ": " + root.getMessage(), e);
    }
  }

  public int port() {
    return server.actualPort();
  }

  /** The API's base URL, for example {@code http://127.0.0.1:8000/v1}. */
  public String url() {
    String host = settings.host().equals("0.0.0.0") ? "127.0.0.1" : settings.host();
    return settings.scheme() + "://" + host + ":" + port() + "/v1";
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("Server did not stop cleanly: {}", e.toString());
    }
  }
}
