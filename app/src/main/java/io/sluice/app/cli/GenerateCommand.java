package io.sluice.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.inference.generate.CausalLm;
import io.sluice.inference.generate.DecoderOptions;
import io.sluice.inference.generate.EngineSettings;
import io.sluice.inference.generate.GenerationEngine;
import io.sluice.inference.generate.GenerationRequest;
import io.sluice.inference.generate.GenerationResult;
import io.sluice.inference.generate.OutputConstraint;
import io.sluice.inference.generate.PrefixCache;
import io.sluice.inference.generate.Sampling;
import io.sluice.inference.generate.SpeculativeDecoder;
import io.sluice.runtime.cli.DecoderOptionsMixin;
import io.sluice.runtime.cli.ExitCodes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code sluice generate}: continue one prompt with a decoder-only model. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = {
      "Continue a prompt with a decoder-only ONNX model (Optimum / transformers.js folder layout).",
      "The text streams to stdout; timing goes to stderr."},
    footerHeading = "%nExamples:%n",
    footer = {
      "  sluice generate --bundle ../shared/models/tiny-decoder --prompt \"check the\" --json",
      "  sluice generate --bundle ../shared/models/tiny-decoder --draft ../shared/models/tiny-draft \\",
      "      --prompt \"check the\" --json",
      "  sluice generate --bundle my-qwen --int8 --schema order.schema.json \\",
      "      --prompt \"Extract the order as JSON: replace pump seal on line 3\"",
      "",
      "With --json the last stdout line is one object: token_ids (new tokens), text,",
      "tokens_per_s (new tokens over wall time, prefill included), finish_reason, and with",
      "--draft acceptance_rate."})
public final class GenerateCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--bundle", required = true, paramLabel = "DIR",
      description = "Model folder: config.json, tokenizer.json and model.onnx (or onnx/model.onnx).")
  Path bundle;

  @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "Text to continue.")
  String prompt;

  @Option(names = "--max-new-tokens", paramLabel = "N",
      description = "Most tokens to generate (default: max_new_tokens of generation_config.json, else 64).")
  Integer maxNewTokens;

  @Option(names = "--draft", paramLabel = "DIR",
      description = "Draft model folder for speculative decoding (same tokenizer; greedy only).")
  Path draft;

  @Option(names = "--lookahead", paramLabel = "N", defaultValue = "4",
      description = "Tokens the draft proposes per round (default: ${DEFAULT-VALUE}).")
  int lookahead;

  @Option(names = "--schema", paramLabel = "FILE",
      description = "JSON Schema the output must validate against (objects, arrays, strings, enums,"
          + " numbers, integers, booleans, required).")
  Path schema;

  @Option(names = "--regex", paramLabel = "PATTERN",
      description = "Regular expression the whole output must match.")
  String regex;

  @Option(names = "--temperature", paramLabel = "T", defaultValue = "0",
      description = "0 for greedy (default), else sampling temperature.")
  double temperature;

  @Option(names = "--top-k", paramLabel = "K", defaultValue = "0",
      description = "Sample among the K likeliest tokens (0: all).")
  int topK;

  @Option(names = "--top-p", paramLabel = "P", defaultValue = "1",
      description = "Sample within the smallest set of tokens of probability P.")
  double topP;

  @Option(names = "--seed", defaultValue = "0", description = "Seed for sampling.")
  long seed;

  @CommandLine.Mixin DecoderOptionsMixin decoder;

  @Option(names = "--json", description = "Print one JSON object as the last stdout line.")
  boolean json;

  /** Wall-clock nanoseconds; replaced in tests. */
  LongSupplier nanoTime = System::nanoTime;

  @Override
  public Integer call() {
    if (!Files.isDirectory(bundle)) {
      throw new ExitCodes.UsageError("--bundle " + bundle + " is not a folder");
    }
    if (draft != null && !Files.isDirectory(draft)) {
      throw new ExitCodes.UsageError("--draft " + draft + " is not a folder");
    }
    if (schema != null && regex != null) {
      throw new ExitCodes.UsageError("give --schema or --regex, not both");
    }
    if (draft != null && temperature != 0) {
      throw new ExitCodes.UsageError("--draft needs greedy decoding (--temperature 0)");
    }
    Sampling sampling;
    OutputConstraint constraint;
    try {
      sampling = new Sampling(temperature, topK, topP, seed);
      constraint = constraint();
    } catch (IllegalArgumentException e) {
      throw new ExitCodes.UsageError(e.getMessage());
    }
    DecoderOptions options = decoder.options();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (CausalLm lm = open(bundle, options);
        CausalLm draftLm = draft == null ? null : open(draft, options)) {
      int limit = maxNewTokens != null ? maxNewTokens
          : lm.config().defaultMaxNewTokens() > 0 ? lm.config().defaultMaxNewTokens() : 64;
      GenerationRequest.Builder builder = GenerationRequest.builder(lm.tokenizer().encode(prompt))
          .id("cli").maxNewTokens(limit).sampling(sampling);
      if (constraint != null) {
        builder.constraint(constraint);
      }
      if (!json) {
        builder.listener((id, token, delta) -> {
          out.print(delta);
          out.flush();
        });
      }
      GenerationRequest request;
      try {
        request = builder.build();
      } catch (IllegalArgumentException e) {
        throw new ExitCodes.UsageError(e.getMessage());
      }
      long start = nanoTime.getAsLong();
      GenerationResult result;
      if (draftLm != null) {
        result = new SpeculativeDecoder(lm, draftLm, lookahead, PrefixCache.disabled())
            .generate(request);
      } else {
        try (GenerationEngine engine = new GenerationEngine(lm,
            EngineSettings.defaults().withMaxBatchSize(1))) {
          result = engine.generate(request);
        }
      }
      double seconds = (nanoTime.getAsLong() - start) / 1e9;
      double tokensPerSecond = seconds > 0 ? result.tokenIds().length / seconds : 0;
      err.printf("%s%d new tokens in %.3f s (%.1f tokens/s), finish %s%s%n", json ? "" : "\n",
          result.tokenIds().length, seconds, tokensPerSecond, result.finishReason(),
          result.speculation().map(s -> String.format(", draft acceptance %.2f (%d/%d)",
              s.acceptanceRate(), s.accepted(), s.proposed())).orElse(""));
      if (json) {
        out.println(toJson(lm, result, tokensPerSecond, seconds));
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  private static CausalLm open(Path folder, DecoderOptions options) {
    try {
      return CausalLm.open(folder, options);
    } catch (IllegalArgumentException e) {
      throw new ExitCodes.UsageError(e.getMessage());
    }
  }

  private OutputConstraint constraint() {
    if (regex != null) {
      return OutputConstraint.regex(regex);
    }
    if (schema == null) {
      return null;
    }
    try {
      return OutputConstraint.jsonSchema(Files.readString(schema));
    } catch (IOException e) {
      throw new ExitCodes.UsageError("cannot read --schema " + schema + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(schema + ": " + e.getMessage(), e);
    }
  }

  private static String toJson(CausalLm lm, GenerationResult result, double tokensPerSecond,
      double seconds) {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode node = mapper.createObjectNode();
    ArrayNode ids = node.putArray("token_ids");
    for (int id : result.tokenIds()) {
      ids.add(id);
    }
    node.put("text", result.text());
    node.put("tokens_per_s", tokensPerSecond);
    node.put("seconds", seconds);
    node.put("finish_reason", result.finishReason().name());
    node.put("prompt_tokens", result.promptTokens());
    node.put("confidence", result.confidence());
    node.put("model", lm.name());
    node.put("model_version", lm.version());
    result.speculation().ifPresent(s -> {
      node.put("acceptance_rate", s.acceptanceRate());
      node.put("draft_proposed", s.proposed());
      node.put("draft_accepted", s.accepted());
      node.put("target_calls", s.targetCalls());
    });
    return node.toString();
  }
}
