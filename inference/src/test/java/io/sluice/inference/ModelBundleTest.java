package io.sluice.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.inference.internal.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {

  @TempDir Path folder;

  @Test
  void loadsTheDefaultBundleFromTheClasspathAndVerifiesItsFiles() {
    ModelBundle bundle = ModelBundle.load(ModelBundle.DEFAULT);

    assertThat(bundle.id()).isEqualTo("all-minilm-l6-v2-q@1.0.0");
    assertThat(bundle.manifest().task()).isEqualTo(ModelTask.ENCODER);
    assertThat(bundle.manifest().pooling()).isEqualTo(Pooling.MEAN);
    assertThat(bundle.manifest().quantization().isStatic()).isTrue();
    assertThat(Sha256.hex(bundle.model()))
        .isEqualTo(bundle.manifest().files().get("model").sha256());
    assertThat(bundle.tokenizer()).hasSizeGreaterThan(100_000);
  }

  @Test
  void loadsBgeAndE5FromTheirJars() {
    ModelBundle bge = ModelBundle.load("classpath:bge-small-en-v1.5-q");
    ModelBundle e5 = ModelBundle.load("classpath:e5-small-v2-q");

    assertThat(bge.manifest().pooling()).isEqualTo(Pooling.CLS);
    assertThat(e5.manifest().textPrefix()).isEqualTo("query: ");
    assertThat(bge.model()).hasSizeGreaterThan(1_000_000);
    assertThat(e5.model()).hasSizeGreaterThan(1_000_000);
  }

  @Test
  void loadsAFolderBundle() throws Exception {
    writeBundle("model bytes", "tokenizer bytes", "model bytes");

    ModelBundle bundle = ModelBundle.load(folder.toString());

    assertThat(new String(bundle.model(), StandardCharsets.UTF_8)).isEqualTo("model bytes");
    assertThat(ModelBundle.load(folder.resolve("bundle.json").toString()).id())
        .isEqualTo("tiny@2.0");
  }

  @Test
  void refusesAFileWhoseHashDiffersNamingTheFileAndBothHashes() throws Exception {
    writeBundle("tampered model", "tokenizer bytes", "model bytes");
    String expected = Sha256.hex("model bytes".getBytes(StandardCharsets.UTF_8));
    String actual = Sha256.hex("tampered model".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> ModelBundle.load(folder.toString()))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("model.onnx")
        .hasMessageContaining(expected)
        .hasMessageContaining(actual);
  }

  @Test
  void rejectsUnknownKeysNamingThemAndTheLine() throws Exception {
    Files.writeString(folder.resolve("bundle.json"), """
        {"format": "sluice-bundle/1", "name": "x", "version": "1",
         "task": "encoder", "colour": "blue"}
        """);

    assertThatThrownBy(() -> ModelBundle.load(folder.toString()))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("unknown key 'colour'")
        .hasMessageContaining("line 2");
  }

  @Test
  void listsEveryProblemOfAManifestAtOnce() throws Exception {
    Files.writeString(folder.resolve("bundle.json"), """
        {"format": "sluice-bundle/9", "name": "bad name!", "task": "encoder",
         "files": {"model": {"path": "m.onnx", "sha256": "xyz"}}}
        """);

    assertThatThrownBy(() -> ModelBundle.load(folder.toString()))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("format: expected \"sluice-bundle/1\"")
        .hasMessageContaining("name: expected letters")
        .hasMessageContaining("version: missing")
        .hasMessageContaining("files.model.sha256: expected 64 hex digits")
        .hasMessageContaining("an encoder needs a \"tokenizer\" entry")
        .hasMessageContaining("pooling: an encoder needs one of mean, cls");
  }

  @Test
  void namesTheMissingFileAndTheMissingBundle() throws Exception {
    writeBundle("model bytes", "tokenizer bytes", "model bytes");
    Files.delete(folder.resolve("tokenizer.json"));

    assertThatThrownBy(() -> ModelBundle.load(folder.toString()))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("files.tokenizer")
        .hasMessageContaining("tokenizer.json");
    assertThatThrownBy(() -> ModelBundle.load("classpath:no-such-model"))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("sluice/bundles/no-such-model/bundle.json");
  }

  @Test
  void refusesPathsThatLeaveTheBundleFolder() throws Exception {
    BundleManifest manifest = manifest("../outside.onnx", Sha256.hex(new byte[0]), "x");
    Files.write(folder.resolve("bundle.json"), ModelBundle.write(manifest));

    assertThatThrownBy(() -> ModelBundle.load(folder.toString()))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("leaves the bundle folder");
  }

  @Test
  void writesAManifestThatReadsBackEqual() {
    BundleManifest manifest = manifest("model.onnx", Sha256.hex(new byte[1]), "t");

    BundleManifest read = ModelBundle.parse(ModelBundle.write(manifest), "memory");

    assertThat(read).isEqualTo(manifest);
  }

  private void writeBundle(String model, String tokenizer, String hashedModel) throws Exception {
    Files.writeString(folder.resolve("model.onnx"), model);
    Files.writeString(folder.resolve("tokenizer.json"), tokenizer);
    BundleManifest manifest = manifest("model.onnx",
        Sha256.hex(hashedModel.getBytes(StandardCharsets.UTF_8)),
        Sha256.hex(tokenizer.getBytes(StandardCharsets.UTF_8)));
    Files.write(folder.resolve("bundle.json"), ModelBundle.write(manifest));
  }

  private static BundleManifest manifest(String modelPath, String modelSha, String tokenizerSha) {
    String tokenizerHash = tokenizerSha.length() == 64 ? tokenizerSha
        : Sha256.hex(tokenizerSha.getBytes(StandardCharsets.UTF_8));
    return new BundleManifest(BundleManifest.FORMAT, "tiny", "2.0", ModelTask.ENCODER, null,
        null, null,
        Map.of("model", new BundleManifest.FileEntry(modelPath, modelSha),
            "tokenizer", new BundleManifest.FileEntry("tokenizer.json", tokenizerHash)),
        Pooling.MEAN, true, 64, 8, null, null, null, null, null);
  }
}
