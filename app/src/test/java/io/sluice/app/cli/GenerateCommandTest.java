package io.sluice.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.app.Sluice;
import io.sluice.runtime.cli.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * {@code sluice generate} reproduces golden.json's ids with and without a draft, and
 * {@code sluice bench generate} reports what it measured. Skipped without ../shared.
 */
class GenerateCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path shared() {
    Path dir = Path.of(System.getProperty("sluice.shared.dir", "../shared"));
    assumeTrue(Files.isRegularFile(dir.resolve("models/tiny-decoder/model.onnx")),
        "Skipped: ../shared/models is absent");
    return dir;
  }

  private record Run(int exit, String out, String err) {
    JsonNode lastJson() throws Exception {
      String[] lines = out.strip().split("\n");
      return JSON.readTree(lines[lines.length - 1]);
    }
  }

  private static Run run(Object command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = ExitCodes.configure(
        command instanceof CommandLine given ? given : new CommandLine(command));
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void reproducesGoldenIds(boolean withDraft) throws Exception {
    Path models = shared().resolve("models");
    JsonNode golden = JSON.readTree(models.resolve("tiny-decoder/golden.json").toFile());
    for (int i = 0; i < golden.get("prompts").size(); i++) {
      List<String> args = new ArrayList<>(List.of("generate", "--bundle",
          models.resolve("tiny-decoder").toString(), "--prompt",
          golden.get("prompts").get(i).asText(), "--threads", "1", "--json"));
      if (withDraft) {
        args.addAll(List.of("--draft", models.resolve("tiny-draft").toString()));
      }
      Run run = run(Sluice.commandLine(), args.toArray(String[]::new));
      assertThat(run.exit()).as(run.err()).isZero();
      JsonNode result = run.lastJson();
      assertThat(result.get("token_ids")).isEqualTo(golden.get("greedy_fp32").get(i));
      assertThat(result.get("text").asText()).isEqualTo(
          golden.get("decoded_fp32").get(i).asText());
      assertThat(result.get("tokens_per_s").asDouble()).isPositive();
      assertThat(result.has("acceptance_rate")).isEqualTo(withDraft);
    }
  }

  @Test
  void schemaConstrainedOutputParses() throws Exception {
    Path models = shared().resolve("models");
    Path schema = Files.createTempFile("order", ".schema.json");
    Files.writeString(schema, "{\"type\":\"object\",\"properties\":{\"asset\":{\"type\":"
        + "\"string\",\"maxLength\":10},\"urgent\":{\"type\":\"boolean\"}},"
        + "\"required\":[\"asset\",\"urgent\"]}");
    Run run = run(Sluice.commandLine(), "generate", "--bundle", models.resolve("tiny-decoder").toString(),
        "--prompt", "pump seal leaking", "--schema", schema.toString(), "--max-new-tokens", "40",
        "--json");
    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode parsed = JSON.readTree(run.lastJson().get("text").asText());
    assertThat(parsed.get("urgent").isBoolean()).isTrue();
    assertThat(parsed.get("asset").isTextual()).isTrue();
  }

  @Test
  void badInputIsAUsageError() throws Exception {
    Path models = shared().resolve("models");
    assertThat(run(Sluice.commandLine(), "generate", "--bundle", "/no/such/dir", "--prompt", "x").exit())
        .isEqualTo(ExitCodes.USAGE);
    Run both = run(Sluice.commandLine(), "generate", "--bundle", models.resolve("tiny-decoder").toString(),
        "--prompt", "x", "--regex", "a+", "--schema", "s.json");
    assertThat(both.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(both.err()).contains("not both");
    Run badRegex = run(Sluice.commandLine(), "generate", "--bundle",
        models.resolve("tiny-decoder").toString(), "--prompt", "x", "--regex", "(a)\\1");
    assertThat(badRegex.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(badRegex.err()).contains("not supported");
  }

  @Test
  void helpShowsAnExample() {
    Run help = run(Sluice.commandLine(), "generate", "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("Examples:").contains("sluice generate --bundle");
    Run bench = run(Sluice.commandLine(), "bench", "generate", "--help");
    assertThat(bench.out()).contains("sluice bench generate --json");
  }
}
