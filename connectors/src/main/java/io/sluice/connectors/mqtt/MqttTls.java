package io.sluice.connectors.mqtt;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS for an MQTT connection; used when the broker URL is {@code ssl://host:8883}.
 *
 * <p>Files are read when the connector is created, so a wrong path or password fails at start with
 * a message naming the file, not at the first connect. A store whose name ends in {@code .p12},
 * {@code .pfx} or {@code .jks} is a Java key store (PKCS#12 or JKS); any other file is read as PEM.
 *
 * @param trustStore the CA certificates that may sign the broker's certificate: a PKCS#12 or JKS
 *     trust store, or a PEM file of certificates ({@code ca.crt}); empty: the JDK's default trust
 *     store, right for brokers with a certificate from a public CA
 * @param trustStorePassword password of a PKCS#12 or JKS trust store; not used for PEM
 * @param keyStore this client's certificate, for brokers that require one: a PKCS#12 or JKS key
 *     store holding one private key and its certificate chain, or a PEM file of the certificate
 *     chain (then {@code keyFile} holds the private key)
 * @param keyStorePassword password of a PKCS#12 or JKS key store (and of the key in it)
 * @param keyFile with a PEM {@code keyStore}: the private key as unencrypted PKCS#8 PEM
 *     ({@code -----BEGIN PRIVATE KEY-----}; convert others with
 *     {@code openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem})
 * @param verifyHostname check that the broker's certificate names the host of the URL; leave on
 *     outside tests
 */
public record MqttTls(Optional<Path> trustStore, Optional<String> trustStorePassword,
    Optional<Path> keyStore, Optional<String> keyStorePassword, Optional<Path> keyFile,
    boolean verifyHostname) {

  private static final MqttTls DEFAULTS = new MqttTls(Optional.empty(), Optional.empty(),
      Optional.empty(), Optional.empty(), Optional.empty(), true);

  public MqttTls {
    Objects.requireNonNull(trustStore, "trustStore");
    Objects.requireNonNull(trustStorePassword, "trustStorePassword");
    Objects.requireNonNull(keyStore, "keyStore");
    Objects.requireNonNull(keyStorePassword, "keyStorePassword");
    Objects.requireNonNull(keyFile, "keyFile");
    List<String> errors = new ArrayList<>();
    if (keyFile.isPresent() && keyStore.isEmpty()) {
      errors.add("keyFile " + keyFile.get() + " is given without keyStore (the PEM certificate"
          + " chain that goes with the key)");
    }
    if (keyFile.isPresent() && keyStore.isPresent() && isJavaKeyStore(keyStore.get())) {
      errors.add("keyFile " + keyFile.get() + " is given, but keyStore " + keyStore.get()
          + " is a PKCS#12/JKS store that holds its own key: give one or the other");
    }
    if (keyStore.isPresent() && !isJavaKeyStore(keyStore.get()) && keyFile.isEmpty()) {
      errors.add("keyStore " + keyStore.get() + " is read as a PEM certificate chain and needs"
          + " keyFile (its PKCS#8 PEM private key); for a PKCS#12 store use a .p12 name");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("Invalid MQTT TLS settings: " + String.join("; ", errors));
    }
  }

  /** No files: the JDK's default trust store, no client certificate, host names verified. */
  public static MqttTls defaults() {
    return DEFAULTS;
  }

  /** Trust the CAs in {@code store} (PKCS#12/JKS with {@code password}, or PEM with null). */
  public MqttTls withTrustStore(Path store, String password) {
    return new MqttTls(Optional.of(store), Optional.ofNullable(password), keyStore,
        keyStorePassword, keyFile, verifyHostname);
  }

  /** Present the client certificate in a PKCS#12 or JKS {@code store}. */
  public MqttTls withKeyStore(Path store, String password) {
    return new MqttTls(trustStore, trustStorePassword, Optional.of(store),
        Optional.ofNullable(password), Optional.empty(), verifyHostname);
  }

  /** Present the client certificate in PEM files: the chain and its PKCS#8 private key. */
  public MqttTls withPemClientCertificate(Path certificateChain, Path privateKey) {
    return new MqttTls(trustStore, trustStorePassword, Optional.of(certificateChain),
        Optional.empty(), Optional.of(privateKey), verifyHostname);
  }

  public MqttTls withHostnameVerification(boolean verify) {
    return new MqttTls(trustStore, trustStorePassword, keyStore, keyStorePassword, keyFile,
        verify);
  }

  /** Whether anything differs from {@link #defaults()}. */
  public boolean customised() {
    return !equals(DEFAULTS);
  }

  /** Whether {@code file} is read as a PKCS#12 or JKS store (by its name), else as PEM. */
  public static boolean isJavaKeyStore(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".p12") || name.endsWith(".pfx") || name.endsWith(".jks");
  }

  @Override
  public String toString() {
    return "MqttTls[trustStore=" + trustStore.map(Path::toString).orElse("JDK default")
        + ", trustStorePassword=" + (trustStorePassword.isPresent() ? "****" : "-")
        + ", keyStore=" + keyStore.map(Path::toString).orElse("-")
        + ", keyStorePassword=" + (keyStorePassword.isPresent() ? "****" : "-")
        + ", keyFile=" + keyFile.map(Path::toString).orElse("-")
        + ", verifyHostname=" + verifyHostname + "]";
  }
}
