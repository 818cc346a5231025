package io.sluice.inference;

import io.sluice.inference.internal.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ed25519 keys for signing model bundles, with the JDK's own provider: PEM in the forms OpenSSL
 * writes ({@code PRIVATE KEY}: PKCS#8; {@code PUBLIC KEY}: X.509 SubjectPublicKeyInfo), so
 * {@code openssl genpkey -algorithm ed25519} keys work too.
 */
public final class BundleKeys {

  /** The signature algorithm of bundles. */
  public static final String ALGORITHM = "Ed25519";

  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
  private static final String PRIVATE = "PRIVATE KEY";
  private static final String PUBLIC = "PUBLIC KEY";

  private BundleKeys() {}

  /** A new key pair from {@code random}. */
  public static KeyPair generate(SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
      generator.initialize(255, random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("This Java runtime has no " + ALGORITHM
          + " (Java 15 or newer has it)", e);
    }
  }

  /**
   * The fingerprint signatures name a key by: {@code ed25519:} and the first 16 hex digits of
   * the SHA-256 of its SubjectPublicKeyInfo.
   */
  public static String keyId(PublicKey key) {
    return "ed25519:" + Sha256.hex(key.getEncoded()).substring(0, 16);
  }

  public static String privateKeyPem(PrivateKey key) {
    return pem(PRIVATE, key.getEncoded());
  }

  public static String publicKeyPem(PublicKey key) {
    return pem(PUBLIC, key.getEncoded());
  }

  /** Reads a PKCS#8 {@code PRIVATE KEY} PEM; errors name {@code where}. */
  public static PrivateKey readPrivateKey(String pem, String where) {
    byte[] der = der(pem, PRIVATE, where);
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new BundleException(where + ": not an " + ALGORITHM + " private key ("
          + e.getMessage() + "); make one with `sluice model keygen`");
    }
  }

  /** Reads an X.509 {@code PUBLIC KEY} PEM; errors name {@code where}. */
  public static PublicKey readPublicKey(String pem, String where) {
    byte[] der = der(pem, PUBLIC, where);
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new BundleException(where + ": not an " + ALGORITHM + " public key ("
          + e.getMessage() + ")");
    }
  }

  public static PrivateKey readPrivateKey(Path file) {
    return readPrivateKey(read(file), file.toString());
  }

  /** A trusted key from a PEM file. */
  public static TrustedKey readTrustedKey(Path file) {
    return TrustedKey.of(readPublicKey(read(file), file.toString()), file.toString());
  }

  /**
   * A trusted key given as inline PEM (it contains {@code -----BEGIN}) or as a path, relative to
   * {@code baseDir} when not absolute and {@code baseDir} is not null.
   */
  public static TrustedKey trustedKey(String pemOrPath, Path baseDir) {
    if (pemOrPath.contains("-----BEGIN")) {
      return TrustedKey.of(readPublicKey(pemOrPath, "inline key"), "inline");
    }
    Path path = Path.of(pemOrPath);
    if (!path.isAbsolute() && baseDir != null) {
      path = baseDir.resolve(path);
    }
    return readTrustedKey(path);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new BundleException("No key file " + file);
    } catch (IOException e) {
      throw new BundleException("Cannot read key file " + file + ": " + e.getMessage(), e);
    }
  }

  private static byte[] der(String pem, String type, String where) {
    Matcher m = PEM.matcher(pem);
    if (!m.find()) {
      throw new BundleException(where + ": expected a PEM block '-----BEGIN " + type
          + "-----'");
    }
    if (!m.group(1).equals(type)) {
      throw new BundleException(where + ": expected a '" + type + "' PEM block, found '"
          + m.group(1) + "'" + (type.equals(PUBLIC) && m.group(1).contains("PRIVATE")
              ? " (never hand out the private key: trust the .pub file)" : ""));
    }
    try {
      return Base64.getMimeDecoder().decode(m.group(2));
    } catch (IllegalArgumentException e) {
      throw new BundleException(where + ": the PEM block is not valid base64");
    }
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }
}
