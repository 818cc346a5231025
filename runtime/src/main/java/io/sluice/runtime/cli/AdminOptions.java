package io.sluice.runtime.cli;

import io.sluice.runtime.admin.AdminSettings;
import io.sluice.runtime.admin.AdminToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The admin server's options, shared by {@code run} and {@code demo}. Each can also come from an
 * environment variable, which suits containers: SLUICE_ADMIN_TOKEN (or the variable named by
 * --admin-token-env), SLUICE_ADMIN_TOKEN_FILE, SLUICE_ADMIN_TLS_CERT, SLUICE_ADMIN_TLS_KEY,
 * SLUICE_ADMIN_TLS_KEYSTORE and SLUICE_ADMIN_TLS_KEYSTORE_PASSWORD.
 */
public final class AdminOptions {

  @Option(names = "--admin-port", defaultValue = "8080",
      description = "Port of the admin server; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--admin-host", paramLabel = "HOST",
      description = "Interface to listen on. Default: 0.0.0.0 with a token, 127.0.0.1 without.")
  String host;

  @Option(names = "--admin-token-env", paramLabel = "NAME", defaultValue = AdminToken.DEFAULT_ENV,
      description = "Environment variable holding the bearer token. Default: ${DEFAULT-VALUE}.")
  String tokenEnv;

  @Option(names = "--admin-token-file", paramLabel = "FILE",
      defaultValue = "${env:SLUICE_ADMIN_TOKEN_FILE}",
      description = "File holding the bearer token (a Docker secret); wins over the variable.")
  Path tokenFile;

  @Option(names = "--admin-tls-cert", paramLabel = "PEM", defaultValue = "${env:SLUICE_ADMIN_TLS_CERT}",
      description = "Serve HTTPS with this PEM certificate chain (with --admin-tls-key).")
  Path tlsCert;

  @Option(names = "--admin-tls-key", paramLabel = "PEM", defaultValue = "${env:SLUICE_ADMIN_TLS_KEY}",
      description = "The certificate's PEM private key.")
  Path tlsKey;

  @Option(names = "--admin-tls-keystore", paramLabel = "P12",
      defaultValue = "${env:SLUICE_ADMIN_TLS_KEYSTORE}",
      description = "Serve HTTPS with this PKCS#12 key store; its password comes from"
          + " SLUICE_ADMIN_TLS_KEYSTORE_PASSWORD.")
  Path tlsKeyStore;

  /** The settings these options describe; every mistake is a usage error naming the option. */
  public AdminSettings settings(Map<String, String> env) {
    Optional<AdminToken> token;
    try {
      token = tokenFile != null ? Optional.of(AdminToken.fromFile(tokenFile))
          : AdminToken.fromEnv(tokenEnv, env);
    } catch (IllegalArgumentException e) {
      throw new ExitCodes.UsageError(e.getMessage());
    }
    String bind = host != null ? host : token.isPresent() ? "0.0.0.0" : "127.0.0.1";
    AdminSettings settings;
    try {
      settings = new AdminSettings(bind, port, token, Optional.empty(), Duration.ofSeconds(1));
    } catch (IllegalArgumentException e) {
      throw new ExitCodes.UsageError(e.getMessage());
    }
    if (tlsKeyStore != null) {
      requireFile(tlsKeyStore, "--admin-tls-keystore");
      String password = env.get("SLUICE_ADMIN_TLS_KEYSTORE_PASSWORD");
      settings = settings.withTls(new AdminSettings.Tls.Pkcs12(tlsKeyStore,
          password == null ? "" : password));
    } else if (tlsCert != null || tlsKey != null) {
      if (tlsCert == null || tlsKey == null) {
        throw new ExitCodes.UsageError("TLS from PEM needs both --admin-tls-cert and"
            + " --admin-tls-key");
      }
      requireFile(tlsCert, "--admin-tls-cert");
      requireFile(tlsKey, "--admin-tls-key");
      settings = settings.withTls(new AdminSettings.Tls.Pem(tlsCert, tlsKey));
    }
    return settings;
  }

  private static void requireFile(Path file, String option) {
    if (!Files.isReadable(file)) {
      throw new ExitCodes.UsageError(option + ": cannot read " + file);
    }
  }
}
