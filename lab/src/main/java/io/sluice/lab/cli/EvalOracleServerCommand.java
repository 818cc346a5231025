package io.sluice.lab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runtime.cli.CliOutput;
import io.sluice.runtime.cli.ExitCodes;
import io.sluice.runtime.resolve.ScriptedOpenAiServer;
import io.sluice.runtime.resolve.ScriptedOpenAiServer.Fault;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code sluice eval oracle-server}: an OpenAI-compatible chat endpoint that answers each text
 * with its label in a data set, and misbehaves on cue, to evaluate resolvers and their failure
 * handling ({@code eval learning-loop --cloud-topology}) without a paid API.
 */
@Command(
    name = "oracle-server",
    mixinStandardHelpOptions = true,
    description = {
      "Serve POST /v1/chat/completions on 127.0.0.1, answering each user message with its label",
      "in the data set's JSONL files ({\"text\", \"label\"}; 'unknown' for texts not in them) as",
      "{\"label\": ...}, after --latency. --faults mixes in, per request and from --seed:",
      "rate_limited (429 with Retry-After), server_error (500), slow (past a client's timeout),",
      "not_json, wrong_label (outside any label set) and no_schema (400 to json_schema). Runs",
      "until stopped (Ctrl-C or SIGTERM)."},
    footerHeading = "%nExample:%n",
    footer = {"  sluice eval oracle-server --data ../shared/data/clinc150 --port 8089 "
        + "--faults rate_limited=0.05,server_error=0.05,slow=0.02,not_json=0.05 &",
      "  (models: {llm: {kind: openai, baseUrl: \"http://127.0.0.1:8089/v1\", model: oracle,"
          + " timeout: 2s}})", "",
      "Exit codes: 0 stopped, 2 bad arguments, 3 runtime error."})
public final class EvalOracleServerCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--data", required = true, paramLabel = "DIR",
      description = "Folder whose *.jsonl files give each text's label.")
  Path data;

  @Option(names = "--port", defaultValue = "0", paramLabel = "PORT",
      description = "Port on 127.0.0.1 (default: a free one, printed).")
  int port;

  @Option(names = "--latency", defaultValue = "50", paramLabel = "MS",
      description = "Milliseconds before each reply (default: ${DEFAULT-VALUE}).")
  long latency;

  @Option(names = "--slow", defaultValue = "5000", paramLabel = "MS",
      description = "Milliseconds a 'slow' reply takes (default: ${DEFAULT-VALUE}).")
  long slow;

  @Option(names = "--retry-after", defaultValue = "1", paramLabel = "S",
      description = "Retry-After seconds of a 429 (default: ${DEFAULT-VALUE}).")
  int retryAfter;

  @Option(names = "--faults", split = ",", paramLabel = "KIND=P",
      description = "Share of requests per fault, e.g. rate_limited=0.05,not_json=0.02.")
  Map<String, Double> faults = new LinkedHashMap<>();

  @Option(names = "--seed", defaultValue = "7", paramLabel = "N",
      description = "Draws the faults (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--json", description = "Print one JSON line with the URL once listening.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (!Files.isDirectory(data)) {
      throw new ExitCodes.UsageError("--data " + data + " is not a folder");
    }
    Map<Fault, Double> odds = new EnumMap<>(Fault.class);
    double total = 0;
    for (Map.Entry<String, Double> e : faults.entrySet()) {
      Fault fault;
      try {
        fault = Fault.valueOf(e.getKey().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException unknown) {
        throw new ExitCodes.UsageError("--faults: unknown fault '" + e.getKey() + "'; known: "
            + "rate_limited, server_error, slow, not_json, wrong_label, no_schema");
      }
      if (fault == Fault.NONE || !(e.getValue() >= 0)) {
        throw new ExitCodes.UsageError("--faults: " + e.getKey() + "=" + e.getValue()
            + " is not a fault with a share from 0 to 1");
      }
      odds.put(fault, e.getValue());
      total += e.getValue();
    }
    if (total > 1) {
      throw new ExitCodes.UsageError("--faults: the shares add up to " + total + ", above 1");
    }
    Map<String, String> labels = labels(data);
    PrintWriter out = spec.commandLine().getOut();
    try (ScriptedOpenAiServer server = ScriptedOpenAiServer.start(
        new ScriptedOpenAiServer.Settings(latency, slow, retryAfter,
            ScriptedOpenAiServer.mix(seed, odds),
            text -> labels.getOrDefault(text.strip(), "unknown")), port)) {
      spec.commandLine().getErr().printf("Oracle server on %s (%d texts labelled; faults %s);"
          + " stop with Ctrl-C%n", server.baseUrl(), labels.size(), odds);
      spec.commandLine().getErr().flush();
      if (json) {
        CliOutput.printJsonLine(out, Map.of("base_url", server.baseUrl(),
            "texts", labels.size()));
        out.flush();
      }
      CountDownLatch stop = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "sluice-oracle-stop"));
      stop.await();
      spec.commandLine().getErr().printf("Served %d requests%n", server.requests());
    }
    return ExitCodes.OK;
  }

  private static Map<String, String> labels(Path dir) throws IOException {
    Map<String, String> labels = new HashMap<>();
    List<Path> files;
    try (var list = Files.list(dir)) {
      files = list.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList();
    }
    for (Path file : files) {
      try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        String line;
        while ((line = reader.readLine()) != null) {
          if (line.isBlank()) {
            continue;
          }
          JsonNode node = JSON.readTree(line);
          if (node.path("text").isTextual() && node.path("label").isTextual()) {
            labels.putIfAbsent(node.get("text").textValue().strip(),
                node.get("label").textValue());
          }
        }
      }
    }
    return labels;
  }
}
