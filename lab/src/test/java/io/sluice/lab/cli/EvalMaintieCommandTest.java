package io.sluice.lab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runtime.cli.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sluice eval maintie} on small hand-made work orders in MaintIE's format. */
class EvalMaintieCommandTest {

  @TempDir Path dir;

  private record Run(int exit, String out, String err) {
    JsonNode json() throws Exception {
      String[] lines = out.strip().split("\n");
      return new ObjectMapper().readTree(lines[lines.length - 1]);
    }
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = LabCommandLine.root();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  /** "ACT OBJ" orders (Activity, PhysicalObject) and "OBJ STATE" faults (PhysicalObject, State). */
  private Path corpus(String name, List<String> activities, List<String> objects)
      throws Exception {
    List<String> states = List.of("leaking", "broken", "cracked");
    List<String> records = new ArrayList<>();
    for (String act : activities) {
      for (int o = 0; o < objects.size(); o++) {
        String obj = objects.get(o);
        records.add("{\"tokens\": [\"" + act + "\", \"" + obj + "\"], \"entities\": ["
            + "{\"start\": 0, \"end\": 1, \"type\": \"Activity/MaintenanceActivity\"},"
            + "{\"start\": 1, \"end\": 2, \"type\": \"PhysicalObject/Part\"}]}");
        records.add("{\"tokens\": [\"<id>\", \"" + obj + "\", \"" + states.get(o % 3)
            + "\"], \"entities\": [{\"start\": 1, \"end\": 2, \"type\": \"PhysicalObject\"},"
            + "{\"start\": 2, \"end\": 3, \"type\": \"State/UndesirableState\"}]}");
      }
    }
    Path file = dir.resolve(name);
    Files.writeString(file, "[" + String.join(",\n", records) + "]");
    return file;
  }

  @Test
  void trainsScoresAndEndsWithOneJsonLine() throws Exception {
    Path train = corpus("train.json", List.of("replace", "inspect", "repair"),
        List.of("pump", "hose", "fan", "valve", "filter", "belt"));
    Path test = corpus("dev.json", List.of("fit", "replace"), List.of("radiator", "pump"));
    Path head = dir.resolve("head.bin");
    Path chart = dir.resolve("classes.png");

    Run run = run("eval", "maintie", "--train", train.toString(), "--test", test.toString(),
        "--epochs", "8", "--rounds", "1", "--save-head", head.toString(), "--chart",
        chart.toString(), "--json");

    assertThat(run.exit()).as(run.err()).isEqualTo(ExitCodes.OK);
    JsonNode json = run.json();
    for (String key : List.of("micro_f1", "untyped_f1", "per_class", "train_seconds",
        "texts_per_s")) {
      assertThat(json.has(key)).as(key).isTrue();
    }
    assertThat(json.get("micro_f1").asDouble()).isBetween(0.0, 1.0);
    assertThat(json.get("untyped_f1").asDouble()).isGreaterThanOrEqualTo(
        json.get("micro_f1").asDouble());
    assertThat(json.get("per_class").has("PhysicalObject")).isTrue();
    assertThat(json.get("per_class").get("PhysicalObject").get("gold").asInt()).isEqualTo(8);
    assertThat(json.get("test_texts").asInt()).isEqualTo(8);
    assertThat(json.get("level").asInt()).isEqualTo(1);
    assertThat(run.err()).contains("Trained in");
    assertThat(head).isRegularFile();
    assertThat(chart).isRegularFile();
  }

  @Test
  void trainsOverTheLayersOfAnotherEncoder() throws Exception {
    Path train = corpus("train.json", List.of("replace", "inspect"),
        List.of("pump", "hose", "fan"));
    Path test = corpus("dev.json", List.of("fit"), List.of("radiator", "pump"));

    // Layer 11 exists in the 12-layer bge-small but not in the default 6-layer MiniLM.
    Run run = run("eval", "maintie", "--train", train.toString(), "--test", test.toString(),
        "--model", "classpath:bge-small-en-v1.5-q", "--layers", "5,11", "--epochs", "2",
        "--calibration-share", "0", "--rounds", "1", "--json");

    assertThat(run.exit()).as(run.err()).isEqualTo(ExitCodes.OK);
    JsonNode json = run.json();
    assertThat(json.get("model").asText()).startsWith("bge-small-en-v1.5-q");
    assertThat(json.get("layers").toString()).isEqualTo("[5,11]");
    Run missing = run("eval", "maintie", "--train", train.toString(), "--test", test.toString(),
        "--model", "classpath:bge-small-en-v1.5-q", "--layers", "13");
    assertThat(missing.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(missing.err()).contains("bge-small-en-v1.5-q").contains("12 (the last)");
  }

  @Test
  void badInputExitsWithUsage() throws Exception {
    Path train = corpus("train.json", List.of("replace"), List.of("pump"));
    assertThat(run("eval", "maintie", "--train", dir.resolve("missing.json").toString(),
        "--test", train.toString()).exit()).isEqualTo(ExitCodes.USAGE);
    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, "[{\"tokens\": [\"a\"], \"entities\": [{\"start\": 0}]}]");
    Run run = run("eval", "maintie", "--train", broken.toString(), "--test", train.toString());
    assertThat(run.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("record 0").contains("entities[0]");
    assertThat(run("eval", "maintie", "--train", train.toString(), "--test", train.toString(),
        "--layers", "11").exit()).isEqualTo(ExitCodes.USAGE);
  }
}
