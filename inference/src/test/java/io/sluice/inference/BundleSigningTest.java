package io.sluice.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.inference.internal.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signing and verifying bundles: what passes, and each way a bundle is refused. */
class BundleSigningTest {

  @TempDir Path folder;
  private KeyPair publisher;
  private TrustedKey publisherKey;
  private KeyPair stranger;

  @BeforeEach
  void keys() {
    SecureRandom random = new SecureRandom(new byte[] {7});
    publisher = BundleKeys.generate(random);
    publisherKey = TrustedKey.of(publisher.getPublic(), "publisher.pub");
    stranger = BundleKeys.generate(random);
  }

  @Test
  void aSignedBundleVerifiesAgainstItsPublisherKey() throws Exception {
    writeBundle("model bytes");
    sign(publisher);

    BundleVerification v = ModelBundle.load(folder.toString())
        .verify(TrustPolicy.signedBy(List.of(publisherKey)));

    assertThat(v.trust()).isEqualTo(BundleVerification.Trust.SIGNED);
    assertThat(v.signer()).contains(publisherKey);
    assertThat(v.digest()).matches("sha256:[0-9a-f]{64}");
    assertThat(v.bundleId()).isEqualTo("tiny@2.0");
  }

  @Test
  void aTamperedFileIsRefusedNamingTheFileAndBothHashes() throws Exception {
    writeBundle("model bytes");
    sign(publisher);
    Files.writeString(folder.resolve("model.onnx"), "evil bytes");

    assertThatThrownBy(() -> ModelBundle.load(folder.toString()))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("model.onnx")
        .hasMessageContaining(Sha256.hex("evil bytes".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining(Sha256.hex("model bytes".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aFileSwappedTogetherWithItsHashBreaksTheSignature() throws Exception {
    writeBundle("model bytes");
    sign(publisher);
    // The attacker replaces the model and fixes up its hash in bundle.json, keeping the signature.
    Files.writeString(folder.resolve("model.onnx"), "evil bytes");
    String manifest = Files.readString(folder.resolve("bundle.json"))
        .replace(Sha256.hex("model bytes".getBytes(StandardCharsets.UTF_8)),
            Sha256.hex("evil bytes".getBytes(StandardCharsets.UTF_8)));
    Files.writeString(folder.resolve("bundle.json"), manifest);
    ModelBundle bundle = ModelBundle.load(folder.toString());

    assertThatThrownBy(() -> bundle.verify(TrustPolicy.signedBy(List.of(publisherKey))))
        .isInstanceOfSatisfying(UntrustedBundleException.class,
            e -> assertThat(e.reason()).isEqualTo(UntrustedBundleException.Reason.BAD_SIGNATURE))
        .hasMessageContaining("tiny@2.0")
        .hasMessageContaining(publisherKey.keyId())
        .hasMessageContaining("does not match the manifest")
        .hasMessageContaining(bundle.digest());
  }

  @Test
  void aBundleSignedByAnUntrustedKeyIsRefusedNamingTheKey() throws Exception {
    writeBundle("model bytes");
    sign(stranger);
    ModelBundle bundle = ModelBundle.load(folder.toString());

    assertThatThrownBy(() -> bundle.verify(TrustPolicy.signedBy(List.of(publisherKey))))
        .isInstanceOfSatisfying(UntrustedBundleException.class,
            e -> assertThat(e.reason()).isEqualTo(UntrustedBundleException.Reason.UNKNOWN_KEY))
        .hasMessageContaining(BundleKeys.keyId(stranger.getPublic()))
        .hasMessageContaining(publisherKey.keyId());
    // Allowing unsigned bundles does not let a bundle with a foreign signature through.
    assertThatThrownBy(() -> bundle.verify(TrustPolicy.allowingUnsigned(List.of(publisherKey))))
        .isInstanceOf(UntrustedBundleException.class);
  }

  @Test
  void aSignatureClaimingATrustedKeyIdButMadeByAnotherKeyIsRefused() throws Exception {
    writeBundle("model bytes");
    ModelBundle bundle = ModelBundle.load(folder.toString());
    BundleManifest forged = bundle.sign(stranger.getPrivate(),
        TrustedKey.of(stranger.getPublic(), "stranger"));
    forged = forged.withSignature(new BundleManifest.Signature("Ed25519",
        publisherKey.keyId(), forged.signature().value()));
    Files.write(folder.resolve("bundle.json"), ModelBundle.write(forged));

    assertThatThrownBy(() -> ModelBundle.load(folder.toString())
        .verify(TrustPolicy.signedBy(List.of(publisherKey))))
        .isInstanceOfSatisfying(UntrustedBundleException.class,
            e -> assertThat(e.reason()).isEqualTo(UntrustedBundleException.Reason.BAD_SIGNATURE));
  }

  @Test
  void anUnsignedBundleIsRefusedUnlessUnsignedBundlesAreAllowed() throws Exception {
    writeBundle("model bytes");
    ModelBundle bundle = ModelBundle.load(folder.toString());

    assertThatThrownBy(() -> bundle.verify(TrustPolicy.signedBy(List.of(publisherKey))))
        .isInstanceOfSatisfying(UntrustedBundleException.class,
            e -> assertThat(e.reason()).isEqualTo(UntrustedBundleException.Reason.UNSIGNED))
        .hasMessageContaining("tiny@2.0")
        .hasMessageContaining(folder.toString())
        .hasMessageContaining("not signed")
        .hasMessageContaining("allowUnsigned");
    assertThat(bundle.verify(TrustPolicy.allowingUnsigned(List.of())).trust())
        .isEqualTo(BundleVerification.Trust.UNSIGNED_ALLOWED);
  }

  @Test
  void aPinnedDigestMustMatch() throws Exception {
    writeBundle("model bytes");
    sign(publisher);
    ModelBundle bundle = ModelBundle.load(folder.toString());
    String other = "sha256:" + "0".repeat(64);

    assertThat(bundle.verify(TrustPolicy.signedBy(List.of(publisherKey))
        .pinning(bundle.digest())).trust()).isEqualTo(BundleVerification.Trust.SIGNED);
    assertThatThrownBy(() -> bundle.verify(TrustPolicy.signedBy(List.of(publisherKey))
        .pinning(other)))
        .isInstanceOfSatisfying(UntrustedBundleException.class, e ->
            assertThat(e.reason()).isEqualTo(UntrustedBundleException.Reason.DIGEST_MISMATCH))
        .hasMessageContaining(bundle.digest())
        .hasMessageContaining(other);
  }

  @Test
  void theDigestCoversEveryFileHashAndIgnoresLayoutAndSignature() throws Exception {
    writeBundle("model bytes");
    ModelBundle unsigned = ModelBundle.load(folder.toString());
    String reformatted = Files.readString(folder.resolve("bundle.json")).replaceAll("\\s+", " ");
    Files.writeString(folder.resolve("bundle.json"), reformatted);
    sign(publisher);
    ModelBundle signed = ModelBundle.load(folder.toString());
    writeBundle("other model bytes");
    ModelBundle other = ModelBundle.load(folder.toString());

    assertThat(signed.digest()).isEqualTo(unsigned.digest());
    assertThat(other.digest()).isNotEqualTo(unsigned.digest());
  }

  @Test
  void classpathBundlesAreTrustedAsShippedButStillHonourAPin() {
    ModelBundle shipped = ModelBundle.load(ModelBundle.DEFAULT);

    BundleVerification v = shipped.verify(TrustPolicy.signedBy(List.of()));

    assertThat(v.trust()).isEqualTo(BundleVerification.Trust.SHIPPED);
    assertThat(v.signerId()).isEqualTo("shipped");
    assertThatThrownBy(() -> shipped.verify(TrustPolicy.signedBy(List.of())
        .pinning("sha256:" + "1".repeat(64))))
        .isInstanceOf(UntrustedBundleException.class);
  }

  @Test
  void keysRoundTripThroughPemAndRefuseTheWrongKind() {
    String privatePem = BundleKeys.privateKeyPem(publisher.getPrivate());
    String publicPem = BundleKeys.publicKeyPem(publisher.getPublic());

    assertThat(BundleKeys.readPrivateKey(privatePem, "k").getEncoded())
        .isEqualTo(publisher.getPrivate().getEncoded());
    assertThat(BundleKeys.trustedKey(publicPem, null).keyId()).isEqualTo(publisherKey.keyId());
    assertThatThrownBy(() -> BundleKeys.readPublicKey(privatePem, "trusted.pem"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("trusted.pem")
        .hasMessageContaining("PUBLIC KEY");
    assertThatThrownBy(() -> BundleKeys.trustedKey("missing.pub", folder))
        .hasMessageContaining(folder.resolve("missing.pub").toString());
  }

  @Test
  void signingWithAPrivateKeyThatIsNotThePublicKeysPairFails() throws Exception {
    writeBundle("model bytes");
    ModelBundle bundle = ModelBundle.load(folder.toString());

    assertThatThrownBy(() -> bundle.sign(stranger.getPrivate(), publisherKey))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining(publisherKey.keyId());
  }

  @Test
  void keysMadeByOpensslWork() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")),
        "Skipped: /usr/bin/openssl not installed");
    Path key = folder.resolve("ossl.key");
    Path pub = folder.resolve("ossl.pub");
    run("/usr/bin/openssl", "genpkey", "-algorithm", "ed25519", "-out", key.toString());
    run("/usr/bin/openssl", "pkey", "-in", key.toString(), "-pubout", "-out", pub.toString());
    writeBundle("model bytes");
    ModelBundle bundle = ModelBundle.load(folder.toString());
    TrustedKey trusted = BundleKeys.readTrustedKey(pub);
    Files.write(folder.resolve("bundle.json"), ModelBundle.write(
        bundle.sign(BundleKeys.readPrivateKey(key), trusted)));

    assertThat(ModelBundle.load(folder.toString()).verify(TrustPolicy.signedBy(List.of(trusted)))
        .trust()).isEqualTo(BundleVerification.Trust.SIGNED);
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
  }

  private void sign(KeyPair keys) throws Exception {
    ModelBundle bundle = ModelBundle.load(folder.toString());
    BundleManifest signed = bundle.sign(keys.getPrivate(),
        TrustedKey.of(keys.getPublic(), "signer"));
    Files.write(folder.resolve("bundle.json"), ModelBundle.write(signed));
  }

  private void writeBundle(String model) throws Exception {
    Files.writeString(folder.resolve("model.onnx"), model);
    Files.writeString(folder.resolve("tokenizer.json"), "tokenizer bytes");
    BundleManifest manifest = new BundleManifest(BundleManifest.FORMAT, "tiny", "2.0",
        ModelTask.ENCODER, null, null, null,
        Map.of("model", new BundleManifest.FileEntry("model.onnx",
                Sha256.hex(model.getBytes(StandardCharsets.UTF_8))),
            "tokenizer", new BundleManifest.FileEntry("tokenizer.json",
                Sha256.hex("tokenizer bytes".getBytes(StandardCharsets.UTF_8)))),
        Pooling.MEAN, true, 64, 8, null, null, null, null, null);
    Files.write(folder.resolve("bundle.json"), ModelBundle.write(manifest));
  }
}
