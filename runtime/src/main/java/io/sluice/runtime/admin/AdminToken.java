package io.sluice.runtime.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Optional;

/**
 * The bearer token that guards the admin API. Compared in constant time (both sides hashed to
 * SHA-256 first, so neither the content nor the length leaks through timing); never printed:
 * {@link #toString()} masks it, and errors name only where it came from.
 */
public final class AdminToken {

  /** The environment variable read when no other is named. */
  public static final String DEFAULT_ENV = "SLUICE_ADMIN_TOKEN";
  /** Shortest token accepted, so a guessable one is refused at start. */
  public static final int MIN_LENGTH = 16;

  private final byte[] digest;
  private final String origin;

  private AdminToken(String token, String origin) {
    if (token.length() < MIN_LENGTH) {
      throw new IllegalArgumentException("The admin token from " + origin + " has "
          + token.length() + " characters; use at least " + MIN_LENGTH
          + " (for example: openssl rand -hex 32)");
    }
    this.digest = sha256(token);
    this.origin = origin;
  }

  public static AdminToken of(String token, String origin) {
    return new AdminToken(token.strip(), origin);
  }

  /** The token in environment variable {@code name}, if it is set and not blank. */
  public static Optional<AdminToken> fromEnv(String name, Map<String, String> env) {
    String value = env.get(name);
    return value == null || value.isBlank() ? Optional.empty()
        : Optional.of(of(value, "environment variable " + name));
  }

  /** The token in a file (a Docker or Kubernetes secret), surrounding whitespace removed. */
  public static AdminToken fromFile(Path file) {
    try {
      return of(Files.readString(file, StandardCharsets.UTF_8), "file " + file);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read the admin token file " + file + ": "
          + e.getMessage(), e);
    }
  }

  /** Whether {@code presented} is the token, in time independent of where they differ. */
  public boolean matches(String presented) {
    return presented != null && MessageDigest.isEqual(digest, sha256(presented));
  }

  /** Where the token came from (never the token). */
  public String origin() {
    return origin;
  }

  @Override
  public String toString() {
    return "AdminToken[****, from " + origin + "]";
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java runtime has SHA-256", e);
    }
  }
}
