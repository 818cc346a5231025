package io.sluice.runtime.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS from a PKCS#12 key store (made with the JDK's keytool) and from PEM files (made with
 * openssl, skipped without it); a client that trusts the certificate gets through with the token.
 */
class AdminTlsTest {

  static final String TOKEN = "tls-token-0123456789abcdef";
  static final String PASSWORD = "store-pass";

  @TempDir Path dir;

  @Test
  void servesHttpsFromAPkcs12KeyStore() throws Exception {
    Path store = dir.resolve("admin.p12");
    run(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
        "-alias", "admin", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
        "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);

    assertServesHttps(new AdminSettings.Tls.Pkcs12(store, PASSWORD), store);
  }

  @Test
  void servesHttpsFromPemFiles() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")),
        "Skipped: /usr/bin/openssl not installed");
    Path cert = dir.resolve("admin.crt");
    Path key = dir.resolve("admin.key");
    run("/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out",
        cert.toString(), "-days", "2", "-subj", "/CN=localhost", "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost");
    Path store = dir.resolve("trust.p12");
    run(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-importcert",
        "-noprompt", "-alias", "admin", "-file", cert.toString(), "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", PASSWORD);

    assertServesHttps(new AdminSettings.Tls.Pem(cert, key), store);
  }

  private void assertServesHttps(AdminSettings.Tls tls, Path trustStore) throws Exception {
    AdminSettings settings = new AdminSettings("127.0.0.1", 0,
        java.util.Optional.of(AdminToken.of(TOKEN, "test")), java.util.Optional.of(tls),
        java.time.Duration.ofSeconds(1));
    try (AdminServer server = AdminServer.start(settings, StaticGateway.named("tls"),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Clock.systemUTC())) {
      assertThat(server.url()).startsWith("https://");
      HttpClient client = HttpClient.newBuilder().sslContext(trusting(trustStore)).build();
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(
          URI.create(server.url() + "/topology")).header("Authorization", "Bearer " + TOKEN)
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("\"name\":\"tls\"");
    }
  }

  private static SSLContext trusting(Path store) throws Exception {
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keyStore.load(in, PASSWORD.toCharArray());
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(
        TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(keyStore);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
  }
}
