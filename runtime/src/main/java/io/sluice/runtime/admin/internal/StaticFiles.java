package io.sluice.runtime.admin.internal;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Files the admin server serves from the classpath, read once at start. */
public final class StaticFiles {

  private record File(Buffer bytes, String contentType) {}

  private final Map<String, File> files;

  private StaticFiles(Map<String, File> files) {
    this.files = files;
  }

  /** The dashboard and review pages, their scripts and the style sheet. */
  public static StaticFiles dashboard() {
    Map<String, File> files = new LinkedHashMap<>();
    files.put("/dashboard", read("sluice/dashboard/index.html", "text/html; charset=utf-8"));
    files.put("/dashboard/app.js", read("sluice/dashboard/app.js",
        "text/javascript; charset=utf-8"));
    files.put("/dashboard/app.css", read("sluice/dashboard/app.css", "text/css; charset=utf-8"));
    files.put("/dashboard/review", read("sluice/dashboard/review.html",
        "text/html; charset=utf-8"));
    files.put("/dashboard/review.js", read("sluice/dashboard/review.js",
        "text/javascript; charset=utf-8"));
    return new StaticFiles(files);
  }

  /** The OpenAPI description of the admin API. */
  public static StaticFiles openApi() {
    return new StaticFiles(Map.of("/openapi.yaml",
        read("openapi.yaml", "application/yaml; charset=utf-8")));
  }

  public void serve(RoutingContext ctx, String path) {
    File f = files.get(path);
    ctx.response().putHeader("content-type", f.contentType())
        .putHeader("cache-control", "no-cache")
        .putHeader("x-content-type-options", "nosniff")
        .putHeader("content-security-policy", "default-src 'self'; img-src 'self' data:")
        .end(f.bytes());
  }

  private static File read(String resource, String contentType) {
    try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Resource " + resource + " is missing from the jar");
      }
      return new File(Buffer.buffer(in.readAllBytes()), contentType);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read resource " + resource, e);
    }
  }
}
