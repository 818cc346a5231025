package io.sluice.lab.jmh;

import io.sluice.operators.extract.PatternExtractor;
import io.sluice.operators.redact.Redactor;
import io.sluice.operators.route.ResultView;
import io.sluice.operators.route.RoutingRules;
import io.sluice.operators.route.RuleSpec;
import io.sluice.schemas.AvroTrust;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.RecordKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Records per second through the per-record libraries of a text pipeline, each beside the
 * alternative a user would write by hand: the routing rules against the same rules as Java
 * if/else, redaction with every built-in pattern against three {@code String.replaceAll} calls
 * with simple regexes (email, phone, IPv4), and pattern extraction (the three built-ins and a
 * 40-term gazetteer). Inputs are seeded: {@value #RECORDS} results with random confidence,
 * novelty, label, priority and restricted flag, and {@value #RECORDS} operator notes of about
 * 150 characters assembled from fragments, a quarter of them holding personal data.
 *
 * <pre>java -cp lab/target/classes:$CP org.openjdk.jmh.Main RoutingBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RoutingBenchmark {

  static final int RECORDS = 1_024;

  static final List<RuleSpec> RULES = List.of(
      new RuleSpec("restricted", "local", null),
      new RuleSpec("novel or confidence < 0.7", "cloud", null),
      new RuleSpec("label == 'electrical' and payload.priority in ['high', 'urgent']",
          "mqtt:plant/alerts", null),
      new RuleSpec("anomaly", "cloud", "ANOMALY"),
      RuleSpec.always("local"));

  private static final Pattern NAIVE_EMAIL = Pattern.compile("[\\w.+-]+@[\\w-]+\\.[\\w.]+");
  private static final Pattern NAIVE_PHONE = Pattern.compile("\\+?\\d[\\d -]{7,}\\d");
  private static final Pattern NAIVE_IP = Pattern.compile("\\d{1,3}(?:\\.\\d{1,3}){3}");

  private ResultView[] views;
  private InferenceResult[] results;
  private String[] notes;
  private RoutingRules rules;
  private Redactor redactor;
  private PatternExtractor extractor;

  @Setup
  public void setUp() {
    AvroTrust.install();
    Random random = new Random(42);
    results = new InferenceResult[RECORDS];
    views = new ResultView[RECORDS];
    notes = new String[RECORDS];
    String[] labels = {"electrical", "mechanical", "hydraulic", null};
    String[] priorities = {"low", "high", "urgent", "normal"};
    for (int i = 0; i < RECORDS; i++) {
      results[i] = InferenceResult.newBuilder().setEventId("e-" + i).setSource("notes")
          .setDeviceId("press-" + random.nextInt(8)).setTimestamp(Instant.EPOCH)
          .setKind(RecordKind.TEXT).setLabel(labels[random.nextInt(labels.length)])
          .setConfidence(random.nextDouble()).setNovel(random.nextInt(10) == 0)
          .setAnomaly(random.nextInt(20) == 0).setRestricted(random.nextInt(10) == 0)
          .setAttributes(Map.of("priority", priorities[random.nextInt(priorities.length)]))
          .build();
      views[i] = ResultView.of(results[i]);
      notes[i] = note(random);
    }
    rules = RoutingRules.compile(RULES);
    redactor = Redactor.of(Redactor.builtInPatterns(), Map.of());
    List<String> terms = new ArrayList<>();
    for (String part : List.of("valve", "bearing", "seal", "pump", "motor", "belt", "filter",
        "gasket", "sensor", "breaker")) {
      terms.add(part);
      terms.add(part + " housing");
      terms.add("main " + part);
      terms.add(part + " assembly");
    }
    extractor = PatternExtractor.builder().builtIns(PatternExtractor.builtInPatterns())
        .gazetteer("component", terms).build();
    reportFalsePositives();
  }

  /**
   * Prints, once per trial, how many notes without personal data each redaction changes: the
   * quality side of the speed comparison.
   */
  private void reportFalsePositives() {
    int clean = 0;
    int naiveChanged = 0;
    int builtInChanged = 0;
    for (String note : notes) {
      if (note.contains("; call ") || note.contains("; mail ") || note.contains("; host ")
          || note.contains("; ask ")) {
        continue;
      }
      clean++;
      if (!naive(note).equals(note)) {
        naiveChanged++;
      }
      if (!redactor.redact(note).text().equals(note)) {
        builtInChanged++;
      }
    }
    System.err.printf("notes without personal data: %d; changed by the naive replaceAll: %d;"
        + " changed by the built-in patterns: %d%n", clean, naiveChanged, builtInChanged);
  }

  private static String note(Random random) {
    String[] fragments = {"pump 3 vibration at 4.2 mm/s", "replaced P/N 4471-220 on line 7",
        "bearing housing temperature 71.5 °C", "breaker tripped twice since 2026-11-22",
        "pressure 12.5 bar, main valve leaking", "filter assembly changed, 1,200 rpm ok",
        "TT-4021 reads 240 V", "seal gasket worn, order 4471-220-A", "no fault found"};
    String[] personal = {"call Anna on +49 89 1234567", "mail j.doe@plant-a.example.com",
        "host 10.0.0.17 unreachable", "ask (555) 123-4567"};
    StringBuilder s = new StringBuilder();
    while (s.length() < 130) {
      s.append(s.length() == 0 ? "" : "; ").append(fragments[random.nextInt(fragments.length)]);
    }
    if (random.nextInt(4) == 0) {
      s.append("; ").append(personal[random.nextInt(personal.length)]);
    }
    return s.toString();
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public int routeWithRules() {
    int sum = 0;
    for (ResultView v : views) {
      sum += rules.route(v).ruleIndex();
    }
    return sum;
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public int routeHandWritten() {
    int sum = 0;
    for (InferenceResult r : results) {
      sum += handWritten(r).length();
    }
    return sum;
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public int redactAllBuiltIns() {
    int sum = 0;
    for (String note : notes) {
      sum += redactor.redact(note).total();
    }
    return sum;
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public int redactNaiveReplaceAll() {
    int sum = 0;
    for (String note : notes) {
      sum += naive(note).length();
    }
    return sum;
  }

  private static String naive(String note) {
    String out = NAIVE_EMAIL.matcher(note).replaceAll("[EMAIL]");
    out = NAIVE_PHONE.matcher(out).replaceAll("[PHONE]");
    return NAIVE_IP.matcher(out).replaceAll("[IP]");
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public int extractBuiltInsAndGazetteer() {
    int sum = 0;
    for (String note : notes) {
      sum += extractor.extract(note).size();
    }
    return sum;
  }

  /** The same rules as {@link #RULES}, written as Java. */
  private static String handWritten(InferenceResult r) {
    if (r.getRestricted()) {
      return "local";
    }
    if (Boolean.TRUE.equals(r.getNovel())
        || (r.getConfidence() != null && r.getConfidence() < 0.7)) {
      return "cloud";
    }
    String priority = r.getAttributes().get("priority");
    if ("electrical".equals(r.getLabel())
        && ("high".equals(priority) || "urgent".equals(priority))) {
      return "mqtt:plant/alerts";
    }
    if (Boolean.TRUE.equals(r.getAnomaly())) {
      return "cloud";
    }
    return "local";
  }
}
