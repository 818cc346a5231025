package io.sluice.inference.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.inference.BundleException;
import io.sluice.inference.BundleManifest;
import io.sluice.inference.ModelBundle;
import io.sluice.inference.ModelTask;
import io.sluice.inference.SessionSettings;
import io.sluice.inference.internal.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A decoder folder with a bundle.json is verified, versioned by its manifest, and refused when altered. */
class DecoderBundleTest {

  private static final Map<String, String> ROLES = Map.of(
      BundleManifest.MODEL, "model.onnx",
      BundleManifest.TOKENIZER, "tokenizer.json",
      CausalLm.CONFIG, "config.json",
      CausalLm.GENERATION_CONFIG, "generation_config.json");

  @TempDir Path dir;

  private void writeBundle(ModelTask task, List<String> labels, Map<String, String> roles)
      throws IOException {
    Path source = TinyModels.folder(TinyModels.DECODER);
    Map<String, BundleManifest.FileEntry> files = new LinkedHashMap<>();
    for (Map.Entry<String, String> role : roles.entrySet()) {
      byte[] bytes = Files.readAllBytes(source.resolve(role.getValue()));
      Files.write(dir.resolve(role.getValue()), bytes);
      files.put(role.getKey(), new BundleManifest.FileEntry(role.getValue(), Sha256.hex(bytes)));
    }
    BundleManifest manifest = new BundleManifest(BundleManifest.FORMAT, "tiny-decoder", "7", task,
        "test decoder", "../shared/models", "test fixture", files, null, null, null, null, null,
        null, null, labels, null);
    Files.write(dir.resolve(ModelBundle.MANIFEST_FILE), ModelBundle.write(manifest));
  }

  private CausalLm open() {
    return CausalLm.open(dir, new DecoderOptions(DecoderOptions.FP32, SessionSettings.threads(1),
        Optional.empty()));
  }

  @Test
  void verifiedBundleDecodesGoldenAndIsVersionedByItsManifest() throws IOException {
    writeBundle(ModelTask.CAUSAL_LM, null, ROLES);
    TinyModels.Case c = TinyModels.golden(TinyModels.DECODER).get(6);
    try (CausalLm lm = open();
        GenerationEngine engine = new GenerationEngine(lm, EngineSettings.defaults())) {
      assertThat(lm.version()).isEqualTo("tiny-decoder@7");
      assertThat(lm.config().defaultMaxNewTokens()).isEqualTo(24);
      assertThat(engine.generate(TinyModels.greedy(c).build()).tokenIds())
          .containsExactly(c.greedyFp32());
    }
  }

  @Test
  void alteredFilesAreRefused() throws IOException {
    writeBundle(ModelTask.CAUSAL_LM, null, ROLES);
    Files.writeString(dir.resolve("config.json"), Files.readString(dir.resolve("config.json"))
        .replace("\"num_hidden_layers\": 4", "\"num_hidden_layers\": 3"));
    assertThatThrownBy(this::open).isInstanceOf(BundleException.class)
        .hasMessageContaining("config.json").hasMessageContaining("SHA-256");
  }

  @Test
  void otherTasksAndMissingConfigAreRefused() throws IOException {
    writeBundle(ModelTask.SEQUENCE_CLASSIFICATION, List.of("a", "b"), ROLES);
    assertThatThrownBy(this::open).hasMessageContaining("needs task 'causal-lm'");
    writeBundle(ModelTask.CAUSAL_LM, null, Map.of(BundleManifest.MODEL, "model.onnx",
        BundleManifest.TOKENIZER, "tokenizer.json"));
    assertThatThrownBy(this::open).hasMessageContaining("needs files 'config'");
  }
}
