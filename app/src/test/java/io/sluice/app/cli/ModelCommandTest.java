package io.sluice.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.app.Sluice;
import io.sluice.inference.BundleManifest;
import io.sluice.inference.ModelBundle;
import io.sluice.inference.ModelTask;
import io.sluice.inference.Pooling;
import io.sluice.runtime.cli.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** keygen, sign, verify and inspect from the command line, with their exit codes and JSON. */
class ModelCommandTest {

  @TempDir Path dir;
  private Path bundle;

  record Run(int exit, JsonNode json, String err) {}

  @BeforeEach
  void bundle() throws Exception {
    bundle = dir.resolve("bundle");
    Files.createDirectories(bundle);
    Files.writeString(bundle.resolve("model.onnx"), "model bytes");
    Files.writeString(bundle.resolve("tokenizer.json"), "tokenizer bytes");
    BundleManifest manifest = new BundleManifest(BundleManifest.FORMAT, "triage", "3", ModelTask.ENCODER,
        null, null, null, Map.of(
            "model", new BundleManifest.FileEntry("model.onnx", sha("model bytes")),
            "tokenizer", new BundleManifest.FileEntry("tokenizer.json", sha("tokenizer bytes"))),
        Pooling.MEAN, true, 64, 8, null, null, null, null, null);
    Files.write(bundle.resolve("bundle.json"), ModelBundle.write(manifest));
  }

  @Test
  void keygenSignVerifyRoundTrip() throws Exception {
    Run keygen = run("model", "keygen", "--out", dir.resolve("keys/publisher").toString(),
        "--json");
    assertThat(keygen.exit()).isZero();
    assertThat(Files.getPosixFilePermissions(dir.resolve("keys/publisher.key")))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    Run sign = run("model", "sign", bundle.toString(), "--key",
        dir.resolve("keys/publisher.key").toString(), "--json");
    assertThat(sign.exit()).isZero();
    assertThat(sign.json().get("keyId").asText()).isEqualTo(keygen.json().get("keyId").asText());

    Run verify = run("model", "verify", bundle.toString(), "--trusted-key",
        dir.resolve("keys/publisher.pub").toString(), "--digest",
        sign.json().get("digest").asText(), "--json");
    assertThat(verify.exit()).isZero();
    assertThat(verify.json().get("trust").asText()).isEqualTo("SIGNED");
    assertThat(verify.json().get("signer").asText()).isEqualTo(keygen.json().get("keyId").asText());

    Run inspect = run("model", "inspect", bundle.toString(), "--json");
    assertThat(inspect.exit()).isZero();
    assertThat(inspect.json().get("signedBy").asText()).isEqualTo(keygen.json().get("keyId")
        .asText());
    assertThat(inspect.json().get("digest").asText()).isEqualTo(sign.json().get("digest")
        .asText());
    assertThat(inspect.json().get("files").get(0).get("bytes").asInt()).isEqualTo(11);
  }

  @Test
  void verifyRefusesATamperedFileAWrongKeyAndAnUnsignedBundle() throws Exception {
    assertThat(run("model", "keygen", "--out", dir.resolve("a").toString()).exit()).isZero();
    assertThat(run("model", "keygen", "--out", dir.resolve("b").toString()).exit()).isZero();
    String pubA = dir.resolve("a.pub").toString();

    Run unsigned = run("model", "verify", bundle.toString(), "--trusted-key", pubA, "--json");
    assertThat(unsigned.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(unsigned.json().get("error").asText()).contains("not signed");
    assertThat(run("model", "verify", bundle.toString(), "--allow-unsigned", "--json").json()
        .get("trust").asText()).isEqualTo("UNSIGNED_ALLOWED");

    assertThat(run("model", "sign", bundle.toString(), "--key", dir.resolve("b.key").toString())
        .exit()).isZero();
    Run wrongKey = run("model", "verify", bundle.toString(), "--trusted-key", pubA, "--json");
    assertThat(wrongKey.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(wrongKey.err()).contains("not trusted");

    Files.writeString(bundle.resolve("model.onnx"), "evil bytes");
    Run tampered = run("model", "verify", bundle.toString(), "--trusted-key",
        dir.resolve("b.pub").toString(), "--json");
    assertThat(tampered.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(tampered.json().get("error").asText()).contains("model.onnx", sha("evil bytes"));
  }

  @Test
  void badUsageExitsTwo() {
    assertThat(run("model", "verify", dir.resolve("nothing").toString()).exit())
        .isEqualTo(ExitCodes.USAGE);
    assertThat(run("model", "keygen", "--out", dir.resolve("k").toString()).exit()).isZero();
    assertThat(run("model", "keygen", "--out", dir.resolve("k").toString()).exit())
        .isEqualTo(ExitCodes.USAGE);
    assertThat(run("model", "verify", bundle.toString(), "--digest", "md5:abc").exit())
        .isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void inspectsAShippedBundle() {
    Run inspect = run("model", "inspect", ModelBundle.DEFAULT, "--json");

    assertThat(inspect.exit()).isZero();
    assertThat(inspect.json().get("shipped").asBoolean()).isTrue();
    assertThat(inspect.json().get("digest").asText())
        .isEqualTo(ModelBundle.load(ModelBundle.DEFAULT).digest());
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = ExitCodes.configure(Sluice.commandLine());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    String[] lines = out.toString().strip().split("\n");
    JsonNode json = null;
    try {
      json = new ObjectMapper().readTree(lines[lines.length - 1]);
    } catch (Exception notJson) {
      // not a --json run
    }
    return new Run(exit, json, err.toString());
  }

  private static String sha(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
