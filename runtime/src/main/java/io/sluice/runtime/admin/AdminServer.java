package io.sluice.runtime.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.runtime.Health;
import io.sluice.runtime.admin.internal.BearerAuth;
import io.sluice.runtime.admin.internal.InferenceResource;
import io.sluice.runtime.admin.internal.MetricsSampler;
import io.sluice.runtime.admin.internal.ModelsResource;
import io.sluice.runtime.admin.internal.ReviewResource;
import io.sluice.runtime.admin.internal.RolloutResource;
import io.sluice.runtime.admin.internal.StaticFiles;
import io.sluice.runtime.admin.internal.TopologyResource;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server, one Vert.x event loop:
 *
 * <ul>
 *   <li>{@code GET /health}: 200 when every component is up, else 503; public.
 *   <li>{@code GET /metrics}: Prometheus text.
 *   <li>{@code GET /topology}: the spec (secrets masked) and runtime state.
 *   <li>{@code GET /models}: bundles, digests, signers, heads, extract steps, rollout state.
 *   <li>{@code POST /models/{name}}: rolls a new bundle out to a model (shadow, then promote or
 *       roll back by the model's bounds).
 *   <li>{@code POST /v1/classify}, {@code /v1/embed}, {@code /v1/extract}: local inference
 *       through the running gateway's models.
 *   <li>{@code POST /v1/chat/completions}, {@code /v1/completions}, {@code /v1/embeddings},
 *       {@code GET /v1/models}: the OpenAI-compatible API ({@link
 *       io.sluice.runtime.openai.OpenAiApi}) over the generate steps' decoders (sharing their
 *       batchers) and the classify steps' encoders.
 *   <li>{@code GET /dashboard} (and {@code /}): the dashboard page, reading
 *       {@code GET /dashboard/summary}.
 *   <li>{@code GET /openapi.yaml}: the description of all of the above.
 * </ul>
 *
 * <p>Design. Every request passes, in order: the bearer-token check ({@link BearerAuth}: all but
 * {@code /health} and the dashboard's static files, which hold no data), body reading (1 MiB at
 * most), the route, and one failure handler that turns an
 * {@link AdminRequestException} into a 4xx JSON error and anything else into a 500 without
 * internals. Handlers never block the event loop: model calls go through the classifier's batcher
 * or a worker thread. {@link AdminRoutes} mount more routes behind the same chain.
 */
public final class AdminServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
  private static final int BODY_LIMIT = 1 << 20;
  /** Paths served without a token: health, and the dashboard's static files (no data in them). */
  static final Set<String> PUBLIC_PATHS = Set.of("/health", "/", "/dashboard",
      "/dashboard/app.js", "/dashboard/app.css", "/dashboard/review", "/dashboard/review.js");

  private final Vertx vertx;
  private final HttpServer server;
  private final AdminSettings settings;

  private AdminServer(Vertx vertx, HttpServer server, AdminSettings settings) {
    this.vertx = vertx;
    this.server = server;
    this.settings = settings;
  }

  /** Starts the server for a running gateway (or cloud) with the built-in routes. */
  public static AdminServer start(AdminSettings settings, GatewayView gateway,
      PrometheusMeterRegistry registry, Clock clock) {
    return start(settings, gateway, registry, clock, List.of());
  }

  /** Starts the server with the built-in routes and {@code extensions} after them. */
  public static AdminServer start(AdminSettings settings, GatewayView gateway,
      PrometheusMeterRegistry registry, Clock clock, List<AdminRoutes> extensions) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2)
        .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false)));
    try {
      Router router = router(vertx, settings, gateway, registry, clock, extensions);
      HttpServerOptions options = settings.serverOptions().setCompressionSupported(true);
      HttpServer server = vertx.createHttpServer(options).requestHandler(router).listen()
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      log.info("Admin server listening on {}://{}:{} ({}; dashboard at /dashboard)",
          settings.scheme(), settings.host(), server.actualPort(), settings.token().isPresent()
              ? "bearer token from " + settings.token().get().origin()
              : "no token: loopback only, for development");
      return new AdminServer(vertx, server, settings);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("Cannot start the admin server on " + settings.host() + ":"
          + settings.port() + settings.tls().map(t -> " with TLS " + t).orElse("") + ": "
          + rootMessage(e), e);
    }
  }

  static Router router(Vertx vertx, AdminSettings settings, GatewayView gateway,
      PrometheusMeterRegistry registry, Clock clock, List<AdminRoutes> extensions) {
    MetricsSampler sampler = new MetricsSampler(registry, clock);
    vertx.setPeriodic(settings.sampleEvery().toMillis(), id -> sampler.sample());
    InferenceResource inference = new InferenceResource(vertx, gateway);
    RolloutResource rollouts = new RolloutResource(vertx, gateway);
    StaticFiles dashboard = StaticFiles.dashboard();
    StaticFiles openApi = StaticFiles.openApi();

    Router router = Router.router(vertx);
    router.route().handler(new BearerAuth(settings.token(), PUBLIC_PATHS));
    router.route().handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
    router.get("/health").handler(ctx -> health(ctx, gateway.health()));
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
        .end(registry.scrape()));
    router.get("/topology").handler(ctx -> JsonReplies.ok(ctx,
        TopologyResource.body(gateway, registry)));
    router.get("/models").handler(ctx -> JsonReplies.ok(ctx, ModelsResource.body(gateway)));
    router.post("/models/:name").handler(rollouts::rollout);
    router.post("/v1/classify").handler(inference::classify);
    router.post("/v1/embed").handler(inference::embed);
    router.post("/v1/extract").handler(inference::extract);
    ReviewResource review = new ReviewResource(vertx, gateway);
    router.get("/v1/review").handler(review::list);
    router.post("/v1/review/:id").handler(review::decide);
    new io.sluice.runtime.openai.OpenAiApi(io.sluice.runtime.openai.ServedModels.of(
            gateway::decoders, inference::encoders),
        io.sluice.runtime.openai.OpenAiApi.Settings.defaults(), clock,
        new java.security.SecureRandom()::nextLong).mount(router);
    router.get("/openapi.yaml").handler(ctx -> openApi.serve(ctx, "/openapi.yaml"));
    router.get("/").handler(ctx -> ctx.redirect("/dashboard"));
    router.get("/dashboard").handler(ctx -> dashboard.serve(ctx, "/dashboard"));
    router.get("/dashboard/app.js").handler(ctx -> dashboard.serve(ctx, "/dashboard/app.js"));
    router.get("/dashboard/app.css").handler(ctx -> dashboard.serve(ctx, "/dashboard/app.css"));
    router.get("/dashboard/review").handler(ctx -> dashboard.serve(ctx, "/dashboard/review"));
    router.get("/dashboard/review.js").handler(ctx ->
        dashboard.serve(ctx, "/dashboard/review.js"));
    router.get("/dashboard/summary").handler(ctx -> {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("topology", gateway.spec().metadata().name());
      body.put("kind", gateway.spec().kind().name());
      Health health = gateway.health();
      body.put("health", !health.up() ? "DOWN" : health.fullyUp() ? "UP" : "DEGRADED");
      body.putAll(sampler.summary());
      body.put("models", ModelsResource.body(gateway).get("models"));
      JsonReplies.ok(ctx, body);
    });
    AdminRoutes.Context context = new AdminRoutes.Context(vertx, gateway, registry, clock);
    extensions.forEach(e -> e.mount(router, context));

    router.route().failureHandler(AdminServer::failure);
    router.errorHandler(404, ctx -> JsonReplies.error(ctx, 404, "no such endpoint: "
        + ctx.request().method() + " " + ctx.request().path(), null, "see /openapi.yaml"));
    router.errorHandler(405, ctx -> JsonReplies.error(ctx, 405, ctx.request().method()
        + " is not allowed on " + ctx.request().path(), null, "see /openapi.yaml"));
    router.errorHandler(413, ctx -> JsonReplies.error(ctx, 413, "the body is larger than "
        + BODY_LIMIT + " bytes", null, null));
    return router;
  }

  public int port() {
    return server.actualPort();
  }

  /** The base URL, for example {@code https://127.0.0.1:8443}. */
  public String url() {
    String host = settings.host().equals("0.0.0.0") ? "127.0.0.1" : settings.host();
    return settings.scheme() + "://" + host + ":" + port();
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture()
          .get(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("Admin server did not stop cleanly: {}", rootMessage(e));
    }
  }

  private static void failure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof AdminRequestException e) {
      JsonReplies.error(ctx, e);
    } else if (failure == null) {
      int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
      JsonReplies.error(ctx, status, ctx.response().getStatusMessage(), null, null);
    } else {
      log.warn("Admin request {} {} failed: {}", ctx.request().method(), ctx.request().path(),
          failure.toString());
      JsonReplies.error(ctx, 500, "internal error: " + failure.getClass().getSimpleName(), null,
          null);
    }
  }

  private static void health(RoutingContext ctx, Health health) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", !health.up() ? "DOWN" : health.fullyUp() ? "UP" : "DEGRADED");
    Map<String, Object> components = new LinkedHashMap<>();
    health.components().forEach((name, c) -> {
      Map<String, Object> component = new LinkedHashMap<>();
      component.put("status", c.up() ? "UP" : "DOWN");
      component.put("state", c.state());
      component.put("detail", c.detail());
      component.put("critical", c.critical());
      components.put(name, component);
    });
    body.put("components", components);
    JsonReplies.send(ctx, health.up() ? 200 : 503, body);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
