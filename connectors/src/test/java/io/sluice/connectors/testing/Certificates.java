package io.sluice.connectors.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway PKI for TLS tests, written to a folder: a CA, a broker certificate for 127.0.0.1
 * and localhost, and a client certificate, as PEM files (for Mosquitto and for PEM settings) and
 * PKCS#12 stores (for store settings).
 */
public final class Certificates {

  public static final String STORE_PASSWORD = "store-secret-7";

  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /** Files written by {@link #create}. */
  public record Files(Path caPem, Path serverPem, Path serverKeyPem, Path clientPem,
      Path clientKeyPem, Path clientP12, Path trustP12) {}

  private Certificates() {}

  /** A new CA with a server and a client certificate; {@code name} prefixes the CA's name. */
  public static Files create(Path dir, String name) {
    try {
      java.nio.file.Files.createDirectories(dir);
      KeyPair ca = keyPair();
      X509Certificate caCert = sign(new X500Name("CN=" + name + " test CA"), ca, ca,
          new X500Name("CN=" + name + " test CA"), true, null);
      KeyPair server = keyPair();
      X509Certificate serverCert = sign(new X500Name("CN=" + name + " test CA"), ca, server,
          new X500Name("CN=localhost"), false, KeyPurposeId.id_kp_serverAuth);
      KeyPair client = keyPair();
      X509Certificate clientCert = sign(new X500Name("CN=" + name + " test CA"), ca, client,
          new X500Name("CN=gateway-1"), false, KeyPurposeId.id_kp_clientAuth);

      Path caPem = pem(dir.resolve(name + "-ca.pem"), "CERTIFICATE", caCert.getEncoded());
      Path serverPem = pem(dir.resolve(name + "-server.pem"), "CERTIFICATE",
          serverCert.getEncoded());
      Path serverKey = pem(dir.resolve(name + "-server-key.pem"), "PRIVATE KEY",
          server.getPrivate().getEncoded());
      Path clientPem = pem(dir.resolve(name + "-client.pem"), "CERTIFICATE",
          clientCert.getEncoded());
      Path clientKey = pem(dir.resolve(name + "-client-key.pem"), "PRIVATE KEY",
          client.getPrivate().getEncoded());

      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("client", client.getPrivate(), STORE_PASSWORD.toCharArray(),
          new Certificate[] {clientCert, caCert});
      Path clientP12 = store(keys, dir.resolve(name + "-client.p12"));
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", caCert);
      Path trustP12 = store(trust, dir.resolve(name + "-trust.p12"));
      return new Files(caPem, serverPem, serverKey, clientPem, clientKey, clientP12, trustP12);
    } catch (IOException | GeneralSecurityException
        | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException("Cannot create test certificates in " + dir, e);
    }
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    return g.generateKeyPair();
  }

  private static X509Certificate sign(X500Name issuer, KeyPair issuerKeys, KeyPair subjectKeys,
      X500Name subject, boolean ca, KeyPurposeId purpose)
      throws IOException, GeneralSecurityException,
      org.bouncycastle.operator.OperatorCreationException {
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer,
        BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(1, ChronoUnit.DAYS)),
        Date.from(now.plus(2, ChronoUnit.DAYS)), subject, subjectKeys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    if (ca) {
      b.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } else {
      b.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
          new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
          new GeneralName(GeneralName.dNSName, "localhost")}));
    }
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
  }

  private static Path pem(Path file, String type, byte[] der) throws IOException {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der);
    java.nio.file.Files.writeString(file,
        "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n",
        StandardCharsets.US_ASCII);
    return file;
  }

  private static Path store(KeyStore store, Path file)
      throws IOException, GeneralSecurityException {
    try (OutputStream out = java.nio.file.Files.newOutputStream(file)) {
      store.store(out, STORE_PASSWORD.toCharArray());
    }
    return file;
  }
}
