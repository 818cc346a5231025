package io.sluice.runtime.admin;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the admin server listens.
 *
 * @param host the interface to bind; without a token only a loopback address is allowed
 * @param port the port, 0 for a free one
 * @param token the bearer token every endpoint but {@code /health} (and the dashboard's static
 *     files) requires; empty for development, where the server binds to loopback only
 * @param tls TLS, if the server should speak HTTPS
 * @param sampleEvery how often the dashboard's figures are sampled
 */
public record AdminSettings(String host, int port, Optional<AdminToken> token,
    Optional<Tls> tls, Duration sampleEvery) {

  public AdminSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(tls, "tls");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("admin port: expected 0 to 65535, got " + port);
    }
    if (token.isEmpty() && !isLoopback(host)) {
      throw new IllegalArgumentException("The admin server would listen on " + host
          + " without a token; set " + AdminToken.DEFAULT_ENV + " (or --admin-token-file), or"
          + " listen on 127.0.0.1");
    }
    if (sampleEvery.isNegative() || sampleEvery.isZero()) {
      throw new IllegalArgumentException("sampleEvery: expected a positive duration");
    }
  }

  /** Development: loopback only, no token, no TLS. */
  public static AdminSettings local(int port) {
    return new AdminSettings("127.0.0.1", port, Optional.empty(), Optional.empty(),
        Duration.ofSeconds(1));
  }

  /** All interfaces, guarded by {@code token}. */
  public static AdminSettings guarded(int port, AdminToken token) {
    return new AdminSettings("0.0.0.0", port, Optional.of(token), Optional.empty(),
        Duration.ofSeconds(1));
  }

  public AdminSettings withTls(Tls newTls) {
    return new AdminSettings(host, port, token, Optional.of(newTls), sampleEvery);
  }

  public AdminSettings withSampleEvery(Duration every) {
    return new AdminSettings(host, port, token, tls, every);
  }

  /** Vert.x server options for this host, port and TLS. */
  public io.vertx.core.http.HttpServerOptions serverOptions() {
    io.vertx.core.http.HttpServerOptions options = new io.vertx.core.http.HttpServerOptions()
        .setHost(host).setPort(port);
    tls.ifPresent(t -> options.setSsl(true).setKeyCertOptions(t instanceof Tls.Pem pem
        ? new io.vertx.core.net.PemKeyCertOptions().setCertPath(pem.certificate().toString())
            .setKeyPath(pem.key().toString())
        : new io.vertx.core.net.PfxOptions().setPath(((Tls.Pkcs12) t).keyStore().toString())
            .setPassword(((Tls.Pkcs12) t).password())));
    return options;
  }

  /** {@code http} or {@code https}. */
  public String scheme() {
    return tls.isPresent() ? "https" : "http";
  }

  static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Where the server's certificate and key come from. */
  public sealed interface Tls {

    /** A PEM certificate chain and its PEM private key (PKCS#8 or PKCS#1). */
    record Pem(Path certificate, Path key) implements Tls {}

    /** A PKCS#12 key store and its password. */
    record Pkcs12(Path keyStore, String password) implements Tls {
      @Override
      public String toString() {
        return "Pkcs12[keyStore=" + keyStore + ", password=****]";
      }
    }
  }
}
