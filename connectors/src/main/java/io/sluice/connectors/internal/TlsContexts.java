package io.sluice.connectors.internal;

import io.sluice.connectors.mqtt.MqttTls;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the TLS socket factory for {@link MqttTls} settings with the JDK alone: PKCS#12 and JKS
 * stores through {@link KeyStore}, PEM certificates through {@link CertificateFactory}, and PEM
 * PKCS#8 private keys decoded here. Every error names the file and what was expected; passwords
 * never appear in messages.
 */
public final class TlsContexts {

  private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448");

  private TlsContexts() {}

  public static SSLSocketFactory socketFactory(MqttTls tls) {
    try {
      TrustManagerFactory tmf = null;
      if (tls.trustStore().isPresent()) {
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trustStore(tls.trustStore().get(), tls.trustStorePassword()));
      }
      KeyManagerFactory kmf = null;
      if (tls.keyStore().isPresent()) {
        char[] password = tls.keyStorePassword().orElse("").toCharArray();
        KeyStore keys = tls.keyFile().isPresent()
            ? pemKeyStore(tls.keyStore().get(), tls.keyFile().get(), password)
            : load(tls.keyStore().get(), tls.keyStorePassword(), "key store");
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf == null ? null : kmf.getKeyManagers(),
          tmf == null ? null : tmf.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("Cannot set up TLS from " + tls + ": " + e.getMessage(),
          e);
    }
  }

  private static KeyStore trustStore(Path file, Optional<String> password) {
    if (MqttTls.isJavaKeyStore(file)) {
      return load(file, password, "trust store");
    }
    try {
      KeyStore store = emptyStore();
      int i = 0;
      for (Certificate cert : pemCertificates(file, "trust store")) {
        store.setCertificateEntry("ca-" + i++, cert);
      }
      return store;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("Cannot use the certificates in trust store " + file
          + ": " + e.getMessage(), e);
    }
  }

  private static KeyStore load(Path file, Optional<String> password, String what) {
    String type = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jks")
        ? "JKS" : "PKCS12";
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance(type);
      store.load(in, password.map(String::toCharArray).orElse(null));
      return store;
    } catch (IOException e) {
      String reason = e.getCause() instanceof java.security.UnrecoverableKeyException
          || String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("password")
          ? "wrong password, or not a " + type + " file" : e.toString();
      throw new IllegalArgumentException("Cannot read the MQTT TLS " + what + " " + file
          + " as " + type + ": " + reason, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("Cannot read the MQTT TLS " + what + " " + file
          + " as " + type + ": " + e.getMessage(), e);
    }
  }

  private static KeyStore pemKeyStore(Path chainFile, Path keyFile, char[] password) {
    try {
      List<Certificate> chain = pemCertificates(chainFile, "client certificate chain");
      PrivateKey key = pemPrivateKey(keyFile);
      KeyStore store = emptyStore();
      store.setKeyEntry("client", key, password, chain.toArray(new Certificate[0]));
      return store;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("The private key in " + keyFile
          + " does not go with the certificate in " + chainFile + ": " + e.getMessage(), e);
    }
  }

  private static List<Certificate> pemCertificates(Path file, String what) {
    try (InputStream in = Files.newInputStream(file)) {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new IllegalArgumentException("The MQTT TLS " + what + " " + file
            + " holds no certificate; expected PEM blocks '-----BEGIN CERTIFICATE-----'");
      }
      return List.copyOf(certs);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read the MQTT TLS " + what + " " + file + ": "
          + e, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("The MQTT TLS " + what + " " + file
          + " is not PEM certificates ('-----BEGIN CERTIFICATE-----'): " + e.getMessage(), e);
    }
  }

  static PrivateKey pemPrivateKey(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read the MQTT TLS key file " + file + ": " + e, e);
    }
    String begin = "-----BEGIN PRIVATE KEY-----";
    String end = "-----END PRIVATE KEY-----";
    int from = text.indexOf(begin);
    int to = text.indexOf(end);
    if (from < 0 || to < from) {
      String found = text.contains("BEGIN RSA PRIVATE KEY") ? "a PKCS#1 RSA key"
          : text.contains("BEGIN EC PRIVATE KEY") ? "a SEC1 EC key"
          : text.contains("BEGIN ENCRYPTED PRIVATE KEY") ? "an encrypted PKCS#8 key"
          : "no private key";
      throw new IllegalArgumentException("The MQTT TLS key file " + file + " holds " + found
          + "; expected an unencrypted PKCS#8 PEM key ('" + begin + "'); convert it with"
          + " 'openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8.pem'");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("The MQTT TLS key file " + file
          + " has a PEM block that is not valid Base64", e);
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException tryNext) {
        // not this algorithm
      }
    }
    throw new IllegalArgumentException("The MQTT TLS key file " + file
        + " holds a PKCS#8 key of none of " + KEY_ALGORITHMS);
  }

  private static KeyStore emptyStore() throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot create an in-memory key store", e);
    }
    return store;
  }
}
