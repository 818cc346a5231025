package io.sluice.runtime.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.io.InputStream;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** Every route the admin server mounts is described in openapi.yaml, and nothing more. */
class OpenApiCoverageTest {

  @Test
  void everyRouteIsInTheOpenApiFileAndEveryPathThereIsARoute() throws Exception {
    Map<String, Map<String, Object>> paths = openApiPaths();
    Vertx vertx = Vertx.vertx();
    try {
      Router router = AdminServer.router(vertx, AdminSettings.local(0),
          StaticGateway.named("openapi"),
          new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Clock.systemUTC(), List.of());

      Set<String> mounted = new HashSet<>();
      for (Route route : router.getRoutes()) {
        if (route.getPath() == null || route.methods() == null) {
          continue; // handlers for every request: auth, body, failures
        }
        for (HttpMethod method : route.methods()) {
          // Vert.x writes path parameters as :name, OpenAPI as {name}.
          String path = route.getPath().replaceAll(":([A-Za-z]+)", "{$1}");
          String key = method.name().toLowerCase(Locale.ROOT) + " " + path;
          mounted.add(key);
          assertThat(paths).as("openapi.yaml paths").containsKey(path);
          assertThat(paths.get(path)).as("openapi.yaml %s", key)
              .containsKey(method.name().toLowerCase(Locale.ROOT));
        }
      }
      Set<String> described = new HashSet<>();
      paths.forEach((path, methods) -> methods.keySet().forEach(m -> described.add(m + " "
          + path)));
      assertThat(mounted).containsExactlyInAnyOrderElementsOf(described);
      assertThat(mounted).contains("get /topology", "get /models", "post /models/{name}", "post /v1/classify",
          "post /v1/embed", "post /v1/extract", "get /dashboard/summary");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> openApiPaths() throws Exception {
    try (InputStream in = AdminServer.class.getClassLoader().getResourceAsStream("openapi.yaml")) {
      Map<String, Object> doc = new Yaml().load(in);
      assertThat(doc.get("openapi").toString()).startsWith("3.");
      return (Map<String, Map<String, Object>>) doc.get("paths");
    }
  }
}
