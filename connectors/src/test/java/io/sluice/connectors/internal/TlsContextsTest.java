package io.sluice.connectors.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.connectors.mqtt.MqttTls;
import io.sluice.connectors.testing.Certificates;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS settings turn into working handshakes, and bad files into errors that name them. */
class TlsContextsTest {

  @TempDir
  static Path dir;
  static Certificates.Files pki;
  static Certificates.Files foreign;

  @BeforeAll
  static void createPki() {
    pki = Certificates.create(dir, "plant");
    foreign = Certificates.create(dir, "elsewhere");
  }

  /** A one-shot TLS server that requires a client certificate from the plant CA. */
  private static boolean handshake(SSLSocketFactory clientFactory) throws Exception {
    KeyStore serverKeys = KeyStore.getInstance("PKCS12");
    serverKeys.load(null, null);
    serverKeys.setKeyEntry("server",
        TlsContexts.pemPrivateKey(pki.serverKeyPem()), new char[0],
        java.security.cert.CertificateFactory.getInstance("X.509")
            .generateCertificates(Files.newInputStream(pki.serverPem()))
            .toArray(new java.security.cert.Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(serverKeys, new char[0]);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(pki.trustP12())) {
      trust.load(in, Certificates.STORE_PASSWORD.toCharArray());
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext server = SSLContext.getInstance("TLS");
    server.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory()
        .createServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      listener.setNeedClientAuth(true);
      CompletableFuture<Boolean> accepted = CompletableFuture.supplyAsync(() -> {
        try (SSLSocket s = (SSLSocket) listener.accept()) {
          s.startHandshake();
          s.getOutputStream().write(1);
          return true;
        } catch (IOException e) {
          return false;
        }
      });
      boolean clientOk;
      try (SSLSocket s = (SSLSocket) clientFactory.createSocket("127.0.0.1",
          listener.getLocalPort())) {
        s.startHandshake();
        clientOk = s.getInputStream().read() == 1;
      } catch (IOException e) {
        clientOk = false;
      }
      return clientOk && accepted.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void pkcs12TrustAndKeyStoresHandshakeWithClientAuthentication() throws Exception {
    MqttTls tls = MqttTls.defaults()
        .withTrustStore(pki.trustP12(), Certificates.STORE_PASSWORD)
        .withKeyStore(pki.clientP12(), Certificates.STORE_PASSWORD);
    assertThat(handshake(TlsContexts.socketFactory(tls))).isTrue();
  }

  @Test
  void pemFilesHandshakeToo() throws Exception {
    MqttTls tls = MqttTls.defaults().withTrustStore(pki.caPem(), null)
        .withPemClientCertificate(pki.clientPem(), pki.clientKeyPem());
    assertThat(handshake(TlsContexts.socketFactory(tls))).isTrue();
  }

  @Test
  void aBrokerSignedByAnotherCaIsRefused() throws Exception {
    MqttTls tls = MqttTls.defaults().withTrustStore(foreign.caPem(), null)
        .withPemClientCertificate(pki.clientPem(), pki.clientKeyPem());
    assertThat(handshake(TlsContexts.socketFactory(tls))).isFalse();
  }

  @Test
  void noClientCertificateIsRefusedByABrokerThatNeedsOne() throws Exception {
    MqttTls tls = MqttTls.defaults().withTrustStore(pki.caPem(), null);
    assertThat(handshake(TlsContexts.socketFactory(tls))).isFalse();
  }

  @Test
  void aWrongStorePasswordNamesTheFileAndNotThePassword() {
    String wrong = "not-the-password-42";
    MqttTls tls = MqttTls.defaults().withKeyStore(pki.clientP12(), wrong);
    assertThatThrownBy(() -> TlsContexts.socketFactory(tls))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(pki.clientP12().toString())
        .hasMessageContaining("key store")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong));
  }

  @Test
  void aPkcs1KeySaysHowToConvertIt() throws IOException {
    Path key = dir.resolve("rsa.pem");
    Files.writeString(key,
        "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    MqttTls tls = MqttTls.defaults().withPemClientCertificate(pki.clientPem(), key);
    assertThatThrownBy(() -> TlsContexts.socketFactory(tls))
        .hasMessageContaining(key.toString())
        .hasMessageContaining("PKCS#1")
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
  }

  @Test
  void aMissingOrEmptyTrustFileIsNamed() throws IOException {
    Path missing = dir.resolve("missing-ca.pem");
    assertThatThrownBy(() -> TlsContexts.socketFactory(
        MqttTls.defaults().withTrustStore(missing, null)))
        .hasMessageContaining(missing.toString());
    Path empty = dir.resolve("empty-ca.pem");
    try (OutputStream out = Files.newOutputStream(empty)) {
      out.write("nothing here\n".getBytes());
    }
    assertThatThrownBy(() -> TlsContexts.socketFactory(
        MqttTls.defaults().withTrustStore(empty, null)))
        .hasMessageContaining(empty.toString())
        .hasMessageContaining("BEGIN CERTIFICATE");
  }
}
