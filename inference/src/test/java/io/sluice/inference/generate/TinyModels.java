package io.sluice.inference.generate;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.inference.SessionSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The small test decoders in {@code ../shared/models} and their golden outputs. Tests that use
 * them are skipped, with a message, when the folder is absent (a fresh clone without the shared
 * fixtures).
 */
final class TinyModels {

  static final String DECODER = "tiny-decoder";
  static final String DRAFT = "tiny-draft";

  private TinyModels() {}

  static Path sharedDir() {
    return Path.of(System.getProperty("sluice.shared.dir", "../shared"));
  }

  /** The model folder, or skips the calling test when it is missing. */
  static Path folder(String name) {
    Path dir = sharedDir().resolve("models").resolve(name);
    assumeTrue(Files.isRegularFile(dir.resolve("model.onnx")),
        "Skipped: test model " + dir.toAbsolutePath() + " is absent (needs ../shared/models)");
    return dir;
  }

  static CausalLm open(String name, String modelFile) {
    return CausalLm.open(folder(name), new DecoderOptions(modelFile, SessionSettings.threads(1),
        java.util.Optional.empty()));
  }

  static CausalLm open(String name) {
    return open(name, DecoderOptions.FP32);
  }

  /** One prompt of golden.json with its expected continuations. */
  record Case(String prompt, int[] promptIds, int[] greedyFp32, int[] greedyInt8, String decoded) {}

  static List<Case> golden(String name) {
    Path file = folder(name).resolve("golden.json");
    try {
      JsonNode root = new ObjectMapper().readTree(file.toFile());
      List<Case> out = new ArrayList<>();
      for (int i = 0; i < root.get("prompts").size(); i++) {
        out.add(new Case(root.get("prompts").get(i).asText(),
            ints(root.get("prompt_ids").get(i)), ints(root.get("greedy_fp32").get(i)),
            ints(root.get("greedy_quantized_onnxruntime_1_30").get(i)),
            root.get("decoded_fp32").get(i).asText()));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }

  /**
   * {@code count} short real texts: MaintIE work orders (train) then CLINC150 requests (val), or a
   * skip when ../shared/data is absent.
   */
  static List<String> texts(int count) {
    Path maintie = sharedDir().resolve("data/maintie/train.json");
    Path clinc = sharedDir().resolve("data/clinc150/val.jsonl");
    assumeTrue(Files.isRegularFile(maintie) && Files.isRegularFile(clinc),
        "Skipped: ../shared/data (MaintIE, CLINC150) is absent");
    try {
      ObjectMapper json = new ObjectMapper();
      List<String> out = new ArrayList<>();
      JsonNode orders = json.readTree(maintie.toFile());
      for (int i = 0; i < orders.size() && out.size() < count / 2; i++) {
        out.add(orders.get(i).get("text").asText());
      }
      for (String line : Files.readAllLines(clinc)) {
        if (out.size() == count) {
          break;
        }
        out.add(json.readTree(line).get("text").asText());
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The golden decoding settings: greedy, at most 24 new tokens. */
  static GenerationRequest.Builder greedy(Case c) {
    return GenerationRequest.builder(c.promptIds()).id(c.prompt()).maxNewTokens(24);
  }
}
