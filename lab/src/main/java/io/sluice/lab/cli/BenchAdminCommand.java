package io.sluice.lab.cli;

import io.sluice.lab.bench.Medians;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.inference.ClassifierSettings;
import io.sluice.inference.EncoderSettings;
import io.sluice.inference.InferenceMeter;
import io.sluice.inference.LabelledText;
import io.sluice.inference.ModelBundle;
import io.sluice.inference.SessionSettings;
import io.sluice.inference.TextClassifier;
import io.sluice.inference.TextEncoder;
import io.sluice.inference.Ticker;
import io.sluice.inference.TrainingData;
import io.sluice.inference.TrustPolicy;
import io.sluice.lab.bench.SampleSentences;
import io.sluice.runtime.Health;
import io.sluice.runtime.admin.AdminServer;
import io.sluice.runtime.admin.AdminSettings;
import io.sluice.runtime.admin.AdminToken;
import io.sluice.runtime.admin.GatewayView;
import io.sluice.runtime.cli.CliOutput;
import io.sluice.runtime.cli.ExitCodes;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.TopologySpec;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code sluice bench admin}: the local classification API. C clients each send one text a
 * request, over HTTP to {@code POST /v1/classify} (bearer token, JSON) and, side by side, straight
 * to the classifier in process ({@code classifyAsync}, the same dynamic batcher): requests/s,
 * median and p95 latency, and texts per model call, for each C.
 *
 * <p>Every text is distinct (a ticket number is appended), so the result cache never answers.
 * Every configuration runs once to warm up, then {@code --rounds} times in turn, so a busy
 * neighbour slows all alike; figures are medians over the rounds.
 */
@Command(
    name = "admin",
    mixinStandardHelpOptions = true,
    description = {
      "Measure the local classification API: C concurrent clients, one text a request, over",
      "HTTP (POST /v1/classify with the bearer token) and straight to the classifier in the same",
      "process, side by side; requests/s, median and p95 latency, texts per model call. Writes",
      "a PNG chart of requests/s."},
    footerHeading = "%nExample:%n",
    footer = {"  sluice bench admin --concurrency 1,4,16 --requests 200 --rounds 3 --json", "",
      "Exit codes: 0 done, 2 bad arguments, 3 runtime error."})
public final class BenchAdminCommand implements Callable<Integer> {

  private static final String TOPOLOGY = """
      apiVersion: sluice/v1
      kind: Gateway
      metadata: {name: bench-admin}
      models:
        encoder: {bundle: "classpath:all-minilm-l6-v2-q", threads: 2}
      sources:
        - {name: notes, mqtt: {topic: "plant/+/notes"}, schema: TextEvent}
      pipelines:
        - name: triage
          from: notes
          steps:
            - classify: {model: encoder, labels: {fault: [pump 3 tripped], wear: [belt slipping]}}
      """;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--concurrency", split = ",", defaultValue = "1,4,16",
      description = "Concurrent clients to try (default: ${DEFAULT-VALUE}).")
  List<Integer> concurrency;

  @Option(names = "--requests", defaultValue = "200",
      description = "Requests per configuration and round (default: ${DEFAULT-VALUE}).")
  int requests;

  @Option(names = "--rounds", defaultValue = "3",
      description = "Timed rounds after the warm-up (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--chart", paramLabel = "PNG", defaultValue = "bench-admin.png",
      description = "Where to write the chart (default: ${DEFAULT-VALUE}).")
  Path chart;

  @Option(names = "--json", description = "End with one line of JSON holding every figure.")
  boolean json;

  private final Ticker ticker = Ticker.system();

  private record Round(double requestsPerSecond, double medianMs, double p95Ms,
      double textsPerCall) {}

  @Override
  public Integer call() throws Exception {
    if (requests < 1 || rounds < 1 || concurrency.stream().anyMatch(c -> c < 1)) {
      throw new ExitCodes.UsageError("--requests, --rounds and every --concurrency must be at"
          + " least 1");
    }
    PrintWriter err = spec.commandLine().getErr();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ModelBundle bundle = ModelBundle.load(ModelBundle.DEFAULT);
    TopologySpec topology = new TopologyLoader(name -> null).parse(TOPOLOGY, "bench-admin.yaml");
    String token = HexFormat.of().formatHex(randomBytes());
    Map<String, List<Round>> results = new LinkedHashMap<>();
    try (TextEncoder encoder = TextEncoder.open(bundle, EncoderSettings.DEFAULT
            .withSessions(1, SessionSettings.threads(2)), registry);
        TextClassifier classifier = TextClassifier.create(encoder, ClassifierSettings.DEFAULT,
            ticker, registry)) {
      classifier.train(TrainingData.of(List.of(new LabelledText("pump 3 tripped", "fault"),
          new LabelledText("belt slipping", "wear"))));
      GatewayView view = GatewayView.of(topology, () -> new Health(Map.of()),
          Map.of("encoder", bundle.verify(TrustPolicy.signedBy(List.of()))),
          Map.of("triage", classifier));
      AdminSettings settings = new AdminSettings("127.0.0.1", 0,
          Optional.of(AdminToken.of(token, "a random token")), Optional.empty(),
          Duration.ofSeconds(1));
      try (AdminServer server = AdminServer.start(settings, view, registry, Clock.systemUTC())) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        AtomicInteger ticket = new AtomicInteger();
        List<String> texts = SampleSentences.generate(997, 11);
        DistributionSummary batches = registry.find(InferenceMeter.BATCH_SIZE.meterName())
            .summary();
        for (int round = 0; round <= rounds; round++) {
          for (int c : concurrency) {
            for (boolean overHttp : new boolean[] {true, false}) {
              String name = (overHttp ? "HTTP" : "in process") + ", " + c
                  + (c == 1 ? " client" : " clients");
              Callable<Void> one = overHttp
                  ? () -> httpRequest(http, server.url(), token, next(texts, ticket))
                  : () -> {
                    classifier.classifyAsync(next(texts, ticket)).join();
                    return null;
                  };
              Round r = run(c, one, batches);
              if (round > 0) {
                results.computeIfAbsent(name, k -> new ArrayList<>()).add(r);
              }
              err.printf("%s %-22s %8.1f req/s  median %6.1f ms  p95 %6.1f ms  %5.1f texts/call%n",
                  round == 0 ? "warm-up " : "round " + round, name, r.requestsPerSecond(),
                  r.medianMs(), r.p95Ms(), r.textsPerCall());
            }
          }
        }
      }
    }
    return report(results);
  }

  private int report(Map<String, List<Round>> results) throws Exception {
    Map<String, Object> report = new LinkedHashMap<>();
    List<Map<String, Object>> rows = new ArrayList<>();
    Map<String, Double> rates = new LinkedHashMap<>();
    PrintWriter out = spec.commandLine().getOut();
    if (!json) {
      out.printf("Local classification API, one text a request, median of %d rounds%n", rounds);
    }
    results.forEach((name, list) -> {
      Map<String, Object> row = new LinkedHashMap<>();
      double rate = Medians.of(list.stream().map(Round::requestsPerSecond).toList());
      row.put("configuration", name);
      row.put("requests_per_s", round1(rate));
      row.put("median_ms", round1(Medians.of(list.stream().map(Round::medianMs).toList())));
      row.put("p95_ms", round1(Medians.of(list.stream().map(Round::p95Ms).toList())));
      row.put("texts_per_model_call", round1(Medians.of(list.stream().map(Round::textsPerCall)
          .toList())));
      rows.add(row);
      rates.put(name, rate);
      if (!json) {
        out.printf("  %-22s %8.1f req/s  median %6.1f ms  p95 %6.1f ms  %5.1f texts/call%n",
            name, rate, row.get("median_ms"), row.get("p95_ms"), row.get("texts_per_model_call"));
      }
    });
    report.put("rounds", rounds);
    report.put("requests_per_configuration", requests);
    report.put("results", rows);
    Map<String, Object> ratios = new LinkedHashMap<>();
    for (int c : concurrency) {
      String suffix = ", " + c + (c == 1 ? " client" : " clients");
      ratios.put("http_over_in_process_" + c, round1(100 * rates.get("HTTP" + suffix)
          / rates.get("in process" + suffix)) / 100);
    }
    report.put("http_share_of_in_process_throughput", ratios);
    writeChart(rates);
    report.put("chart", chart.toString());
    report.put("peak_rss_mb", CliOutput.peakRssMb());
    if (json) {
      CliOutput.printJsonLine(out, report);
    } else {
      out.printf("  HTTP throughput as a share of in-process: %s; chart %s%n", ratios, chart);
    }
    return ExitCodes.OK;
  }

  private Round run(int clients, Callable<Void> request, DistributionSummary batches)
      throws Exception {
    long callsBefore = batches == null ? 0 : batches.count();
    double textsBefore = batches == null ? 0 : batches.totalAmount();
    AtomicInteger left = new AtomicInteger(requests);
    List<Double> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long start = ticker.read();
    try {
      List<Future<Void>> done = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        done.add(pool.submit(() -> {
          while (left.getAndDecrement() > 0) {
            long t0 = ticker.read();
            request.call();
            latencies.add((ticker.read() - t0) / 1e6);
          }
          return null;
        }));
      }
      for (Future<Void> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    double seconds = (ticker.read() - start) / 1e9;
    List<Double> sorted = new ArrayList<>(latencies);
    sorted.sort(null);
    long calls = batches == null ? 0 : batches.count() - callsBefore;
    double texts = batches == null ? 0 : batches.totalAmount() - textsBefore;
    return new Round(requests / seconds, percentile(sorted, 0.5), percentile(sorted, 0.95),
        calls == 0 ? 0 : texts / calls);
  }

  private static Void httpRequest(HttpClient http, String url, String token, String text)
      throws Exception {
    String body = "{\"texts\": [\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]}";
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url
        + "/v1/classify")).header("Authorization", "Bearer " + token)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("POST /v1/classify answered " + response.statusCode()
          + ": " + response.body());
    }
    return null;
  }

  private static String next(List<String> texts, AtomicInteger ticket) {
    int n = ticket.getAndIncrement();
    return texts.get(n % texts.size()) + " (ticket " + n + ")";
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }

  private void writeChart(Map<String, Double> rates) throws Exception {
    CategoryChart bars = new CategoryChartBuilder().width(900).height(500)
        .title("POST /v1/classify vs in-process classifyAsync, median of " + rounds
            + " rounds (2 shared cores)")
        .xAxisTitle("clients").yAxisTitle("requests/s (one text each)").build();
    List<String> clients = concurrency.stream().map(String::valueOf).toList();
    for (String mode : List.of("HTTP", "in process")) {
      List<Double> values = new ArrayList<>();
      for (int c : concurrency) {
        values.add(rates.get(mode + ", " + c + (c == 1 ? " client" : " clients")));
      }
      bars.addSeries(mode, clients, values);
    }
    Path parent = chart.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    BitmapEncoder.saveBitmap(bars, chart.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static double percentile(List<Double> sorted, double q) {
    if (sorted.isEmpty()) {
      return 0;
    }
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
  }


  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
