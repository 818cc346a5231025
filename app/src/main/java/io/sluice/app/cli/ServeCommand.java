package io.sluice.app.cli;

import io.sluice.inference.ModelBundle;
import io.sluice.inference.SessionSettings;
import io.sluice.inference.TextEncoder;
import io.sluice.inference.generate.CausalLm;
import io.sluice.inference.generate.DecoderOptions;
import io.sluice.inference.generate.EngineSettings;
import io.sluice.inference.generate.GenerationEngine;
import io.sluice.inference.EncoderSettings;
import io.sluice.runtime.admin.AdminSettings;
import io.sluice.runtime.admin.AdminToken;
import io.sluice.runtime.cli.CliOutput;
import io.sluice.runtime.cli.ExitCodes;
import io.sluice.runtime.openai.OpenAiApi;
import io.sluice.runtime.openai.OpenAiServer;
import io.sluice.runtime.openai.ServedModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice serve}: the OpenAI-compatible API over model folders, without a topology. Each
 * {@code --bundle} is a decoder (an export folder with config.json, or a causal-lm bundle) served
 * for chat and text completions, or an encoder bundle served for embeddings.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve models over the OpenAI API: POST /v1/chat/completions, /v1/completions,",
      "/v1/embeddings; GET /v1/models, /health. Prints the URL it listens on.",
      "Ctrl-C or SIGTERM stop it (requests in flight fail)."},
    footerHeading = "%nExamples:%n",
    footer = {
      "  sluice serve --bundle ../shared/models/tiny-decoder --port 8000",
      "  curl -s localhost:8000/v1/chat/completions -H 'content-type: application/json' \\",
      "      -d '{\"model\":\"tiny-decoder\",\"messages\":[{\"role\":\"user\",\"content\":\"check the\"}],"
          + "\"temperature\":0}'",
      "  SLUICE_ADMIN_TOKEN=$(openssl rand -hex 32) sluice serve --bundle qwen-int8 --int8 \\",
      "      --bundle classpath:all-minilm-l6-v2-q --host 0.0.0.0",
      "",
      "Without a token the server listens on 127.0.0.1 only. Exit codes: 0 stopped, 2 bad",
      "options or a folder that is not a model, 3 could not start."})
public final class ServeCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--bundle", required = true, paramLabel = "DIR",
      description = "A model to serve (repeatable): a decoder folder, or an encoder bundle"
          + " (classpath:all-minilm-l6-v2-q or a folder with bundle.json). Its name in the API"
          + " is the folder's name (the bundle name for classpath:).")
  List<String> bundles;

  @Option(names = "--port", paramLabel = "N", defaultValue = "8000",
      description = "Port; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--host", paramLabel = "HOST",
      description = "Interface to listen on. Default: 0.0.0.0 with a token, 127.0.0.1 without.")
  String host;

  @Option(names = "--token-env", paramLabel = "NAME", defaultValue = AdminToken.DEFAULT_ENV,
      description = "Environment variable holding the API key clients must send as a bearer"
          + " token. Default: ${DEFAULT-VALUE}.")
  String tokenEnv;

  @Option(names = "--int8", description = "Decoders run model_quantized.onnx instead of"
      + " model.onnx (export folders only; a bundle names its own file).")
  boolean int8;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "2",
      description = "ONNX Runtime threads per model. Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(names = "--max-batch", paramLabel = "N", defaultValue = "16",
      description = "Sequences a decoder runs together (continuous batching)."
          + " Default: ${DEFAULT-VALUE}.")
  int maxBatch;

  @Option(names = "--max-queue", paramLabel = "N", defaultValue = "256",
      description = "Requests per decoder in flight before new ones get 429."
          + " Default: ${DEFAULT-VALUE}.")
  int maxQueue;

  @Option(names = "--json", description = "Print one JSON line with the URL and the models.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Optional<AdminToken> token;
    AdminSettings settings;
    try {
      token = AdminToken.fromEnv(tokenEnv, System.getenv());
      String bind = host != null ? host : token.isPresent() ? "0.0.0.0" : "127.0.0.1";
      settings = new AdminSettings(bind, port, token, Optional.empty(), Duration.ofSeconds(1));
      if (maxQueue < 1 || maxBatch < 1 || threads < 1) {
        throw new IllegalArgumentException("--max-queue, --max-batch and --threads must be"
            + " positive");
      }
    } catch (IllegalArgumentException e) {
      throw new ExitCodes.UsageError(e.getMessage());
    }
    Map<String, GenerationEngine> decoders = new LinkedHashMap<>();
    Map<String, TextEncoder> encoders = new LinkedHashMap<>();
    List<AutoCloseable> opened = new ArrayList<>();
    try {
      for (String ref : bundles) {
        open(ref, decoders, encoders, opened);
      }
      OpenAiServer server = OpenAiServer.start(settings,
          ServedModels.of(() -> decoders, () -> encoders),
          OpenAiApi.Settings.defaults().withMaxQueue(maxQueue), Clock.systemUTC());
      opened.add(0, server);
      if (json) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("url", server.url());
        report.put("decoders", List.copyOf(decoders.keySet()));
        report.put("encoders", List.copyOf(encoders.keySet()));
        CliOutput.printJsonLine(out, report);
      } else {
        out.println("Serving " + String.join(", ", names(decoders, encoders)) + " at "
            + server.url());
      }
      out.flush();
    } catch (RuntimeException e) {
      closeAll(opened);
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      closeAll(opened);
      stopped.countDown();
    }, "sluice-serve-shutdown"));
    stopped.await();
    return ExitCodes.OK;
  }

  private void open(String ref, Map<String, GenerationEngine> decoders,
      Map<String, TextEncoder> encoders, List<AutoCloseable> opened) {
    if (ref.startsWith(ModelBundle.CLASSPATH)) {
      TextEncoder encoder = TextEncoder.open(ModelBundle.load(ref), EncoderSettings.DEFAULT
          .withSessions(1, SessionSettings.threads(threads)), new SimpleMeterRegistry());
      opened.add(encoder);
      encoders.put(ref.substring(ModelBundle.CLASSPATH.length()), encoder);
      return;
    }
    Path folder = Path.of(ref);
    if (!Files.isDirectory(folder)) {
      throw new ExitCodes.UsageError("--bundle " + ref + ": no such folder");
    }
    String name = folder.toAbsolutePath().normalize().getFileName().toString();
    if (decoders.containsKey(name) || encoders.containsKey(name)) {
      throw new ExitCodes.UsageError("--bundle " + ref + ": a model named '" + name
          + "' is served already; folders must have different names");
    }
    boolean decoder = Files.isRegularFile(folder.resolve("config.json"))
        && !Files.isRegularFile(folder.resolve(ModelBundle.MANIFEST_FILE))
        || isCausalLmBundle(folder);
    if (decoder) {
      CausalLm lm = CausalLm.open(folder, new DecoderOptions(
          int8 ? DecoderOptions.INT8 : DecoderOptions.FP32, SessionSettings.threads(threads),
          Optional.empty()));
      opened.add(lm);
      GenerationEngine engine = new GenerationEngine(lm,
          EngineSettings.defaults().withMaxBatchSize(maxBatch));
      opened.add(0, engine);
      decoders.put(name, engine);
    } else if (Files.isRegularFile(folder.resolve(ModelBundle.MANIFEST_FILE))) {
      TextEncoder encoder = TextEncoder.open(ModelBundle.load(folder.toString()),
          EncoderSettings.DEFAULT.withSessions(1, SessionSettings.threads(threads)),
          new SimpleMeterRegistry());
      opened.add(encoder);
      encoders.put(name, encoder);
    } else {
      throw new ExitCodes.UsageError("--bundle " + ref + ": neither a decoder folder"
          + " (config.json, tokenizer.json, model.onnx) nor a bundle (bundle.json)");
    }
  }

  private static boolean isCausalLmBundle(Path folder) {
    Path manifest = folder.resolve(ModelBundle.MANIFEST_FILE);
    if (!Files.isRegularFile(manifest)) {
      return false;
    }
    try {
      return ModelBundle.parse(Files.readAllBytes(manifest), manifest.toString()).task()
          == io.sluice.inference.ModelTask.CAUSAL_LM;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static List<String> names(Map<String, GenerationEngine> decoders,
      Map<String, TextEncoder> encoders) {
    List<String> out = new ArrayList<>();
    decoders.keySet().forEach(n -> out.add(n + " (chat, completions)"));
    encoders.keySet().forEach(n -> out.add(n + " (embeddings)"));
    return out;
  }

  private static void closeAll(List<AutoCloseable> opened) {
    for (AutoCloseable c : opened) {
      try {
        c.close();
      } catch (Exception e) {
        System.err.println("serve: closing " + c + ": " + e.getMessage());
      }
    }
    opened.clear();
  }
}
