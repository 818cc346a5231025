package io.sluice.app.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.app.runtime.Health;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server: {@code GET /health} (200 when every component is up, else 503, with a
 * JSON body of component states) and {@code GET /metrics} (Prometheus text). One Vert.x event
 * loop; handlers only read state, so none blocks.
 */
public final class AdminServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Vertx vertx;
  private final HttpServer server;

  private AdminServer(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  /** Starts the server on all interfaces at {@code port} (0 for a free one). */
  public static AdminServer start(int port, Supplier<Health> health,
      PrometheusMeterRegistry registry) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2));
    Router router = Router.router(vertx);
    router.get("/health").handler(ctx -> health(ctx, health.get()));
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
        .end(registry.scrape()));
    try {
      HttpServer server = vertx.createHttpServer().requestHandler(router).listen(port)
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      log.info("Admin server listening on port {} (/health, /metrics)", server.actualPort());
      return new AdminServer(vertx, server);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("Cannot start the admin server on port " + port + ": "
          + rootMessage(e), e);
    }
  }

  public int port() {
    return server.actualPort();
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

  private static void health(RoutingContext ctx, Health health) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", health.up() ? "UP" : "DOWN");
    Map<String, Object> components = new LinkedHashMap<>();
    health.components().forEach((name, c) -> {
      Map<String, Object> component = new LinkedHashMap<>();
      component.put("status", c.up() ? "UP" : "DOWN");
      component.put("state", c.state());
      component.put("detail", c.detail());
      components.put(name, component);
    });
    body.put("components", components);
    try {
      ctx.response().setStatusCode(health.up() ? 200 : 503)
          .putHeader("content-type", "application/json")
          .end(JSON.writeValueAsString(body));
    } catch (Exception e) {
      ctx.fail(e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
