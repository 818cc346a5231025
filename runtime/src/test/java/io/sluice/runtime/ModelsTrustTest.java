package io.sluice.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.inference.BundleException;
import io.sluice.inference.BundleKeys;
import io.sluice.inference.BundleManifest;
import io.sluice.inference.BundleVerification;
import io.sluice.inference.ModelBundle;
import io.sluice.inference.TrustedKey;
import io.sluice.inference.UntrustedBundleException;
import io.sluice.runtime.rollout.RolloutModel;
import io.sluice.runtime.rollout.RolloutPolicy;
import io.sluice.runtime.rollout.RolloutState;
import io.sluice.topology.spec.Model;
import io.sluice.topology.spec.Step;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime checks a model's bundle against the topology's trust settings before it runs it: a
 * real encoder copied from the jar into a folder, unsigned, signed, and tampered with.
 */
class ModelsTrustTest {

  @TempDir static Path dir;
  static Path bundle;
  static KeyPair keys;

  private static final Step.Classify CLASSIFY = new Step.Classify("encoder",
      Map.of("a", new Step.Label(null, List.of("breaker tripped")),
          "b", new Step.Label(null, List.of("bearing noise"))), null, "prototype", 1);

  @BeforeAll
  static void copyTheDefaultEncoderIntoAFolder() throws Exception {
    ModelBundle shipped = ModelBundle.load(ModelBundle.DEFAULT);
    bundle = dir.resolve("encoder");
    Files.createDirectories(bundle);
    for (Map.Entry<String, BundleManifest.FileEntry> f : shipped.manifest().files().entrySet()) {
      Files.write(bundle.resolve(f.getValue().path()), shipped.file(f.getKey()));
    }
    Files.write(bundle.resolve("bundle.json"), ModelBundle.write(shipped.manifest()));
    keys = BundleKeys.generate(new SecureRandom());
    Files.writeString(dir.resolve("publisher.pub"), BundleKeys.publicKeyPem(keys.getPublic()));
  }

  @Test
  void anUnsignedFolderBundleIsRefusedBeforeItRunsUnlessAllowed() {
    try (Models models = new Models(new SimpleMeterRegistry())) {
      assertThatThrownBy(() -> models.create(model(List.of(), false), CLASSIFY, dir))
          .isInstanceOf(UntrustedBundleException.class)
          .hasMessageContaining(bundle.toString())
          .hasMessageContaining("not signed");
      assertThat(models.verifications()).isEmpty();
    }
    try (Models models = new Models(new SimpleMeterRegistry())) {
      models.create(model(List.of(), true), CLASSIFY, dir);
      assertThat(models.verifications().get("encoder").trust())
          .isEqualTo(BundleVerification.Trust.UNSIGNED_ALLOWED);
    }
  }

  @Test
  void aSignedBundleRunsAndATamperedOneIsRefused() throws Exception {
    Path signedDir = dir.resolve("signed");
    copy(bundle, signedDir);
    ModelBundle loaded = ModelBundle.load(signedDir.toString());
    Files.write(signedDir.resolve("bundle.json"), ModelBundle.write(loaded.sign(keys.getPrivate(),
        TrustedKey.of(keys.getPublic(), "publisher.pub"))));
    Model signed = new Model("encoder", "signed", 1, Optional.of(loaded.digest()),
        List.of("publisher.pub"), false);

    try (Models models = new Models(new SimpleMeterRegistry())) {
      models.create(signed, CLASSIFY, dir);
      BundleVerification v = models.verifications().get("encoder");
      assertThat(v.trust()).isEqualTo(BundleVerification.Trust.SIGNED);
      assertThat(v.signerId()).isEqualTo(BundleKeys.keyId(keys.getPublic()));
    }

    String manifest = Files.readString(signedDir.resolve("bundle.json"));
    Files.writeString(signedDir.resolve("bundle.json"),
        manifest.replace("\"maxTokens\" : 256", "\"maxTokens\" : 128"));
    try (Models models = new Models(new SimpleMeterRegistry())) {
      assertThatThrownBy(() -> models.create(signed, CLASSIFY, dir))
          .isInstanceOf(UntrustedBundleException.class)
          .hasMessageContaining("sha256:");
    }
  }

  @Test
  void aTamperedOrUnsignedRolloutIsRefusedAndTheServingModelKeepsServing() throws Exception {
    Path tampered = dir.resolve("tampered");
    copy(bundle, tampered);
    Path tokenizer = tampered.resolve(ModelBundle.load(bundle.toString()).manifest().files()
        .get("tokenizer").path());
    Files.writeString(tokenizer, Files.readString(tokenizer).replace("[UNK]", "[UNX]"));
    Model shipped = new Model("encoder", ModelBundle.DEFAULT, 1, Optional.empty(),
        List.of("publisher.pub"), false);

    try (Models models = new Models(new SimpleMeterRegistry())) {
      models.create(shipped, CLASSIFY, dir);
      RolloutModel slot = models.forStep(CLASSIFY).orElseThrow();
      String serving = slot.version();

      assertThatThrownBy(() -> models.rollout("encoder", shipped, "tampered",
          RolloutPolicy.defaults()))
          .isInstanceOf(BundleException.class)
          .hasMessageContaining("tokenizer")
          .hasMessageContaining("SHA-256");
      assertThatThrownBy(() -> models.rollout("encoder", shipped, "encoder",
          RolloutPolicy.defaults()))
          .isInstanceOf(UntrustedBundleException.class)
          .hasMessageContaining("not signed");

      assertThat(slot.version()).isEqualTo(serving);
      assertThat(slot.state()).isEqualTo(RolloutState.IDLE);
      assertThat(slot.candidate()).isEmpty();
      assertThat(slot.infer(List.of("breaker tripped again")).get(0).label()).isEqualTo("a");
      assertThat(models.verifications().get("encoder").trust())
          .isEqualTo(BundleVerification.Trust.SHIPPED);
    }
  }

  private static Model model(List<String> trustedKeys, boolean allowUnsigned) {
    return new Model("encoder", "encoder", 1, Optional.empty(), trustedKeys, allowUnsigned);
  }

  private static void copy(Path from, Path to) throws Exception {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }
}
