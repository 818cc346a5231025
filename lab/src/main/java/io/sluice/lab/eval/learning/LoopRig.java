package io.sluice.lab.eval.learning;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.lab.fleet.OutputTally;
import io.sluice.operators.OperatorMeters;
import io.sluice.runtime.AppMeters;
import io.sluice.runtime.FeedbackLearner;
import io.sluice.runtime.RuntimeOptions;
import io.sluice.runtime.TopologyRuntime;
import io.sluice.schemas.InferenceResult;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.Resolve;
import io.sluice.topology.spec.Step;
import io.sluice.topology.spec.TopologySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * A gateway and its cloud on one machine, joined by the real cloud link: the learning loop as it
 * runs in production, for the replay ({@code sluice eval learning-loop}) and its integration
 * test.
 *
 * <p>What runs. The cloud ({@code cloud.yaml} beside this class: its own embedded Kafka, the cloud
 * topology labelling forwarded records with the cloud model trained on {@code cloud-train.jsonl})
 * starts first; then the gateway ({@code gateway.yaml}: embedded MQTT broker and Kafka, classify
 * and novelty with the gateway model trained on {@code gateway-train.jsonl}, the route "novel or
 * low confidence to the cloud", the cloud link and the feedback learner). Both training files are
 * read from the work folder, which the caller fills first.
 *
 * <p>What it observes, from outside as a user would: every routed record (read committed from
 * the gateway's results and forward topics, with the head version that classified it), every
 * lesson the feedback learner reports, and the two runtimes' meters. Waiting for outcomes blocks
 * on a monitor the reader thread signals, never on a timer.
 */
public final class LoopRig implements AutoCloseable {

  /** Where the two topologies live on the class path. */
  static final String GATEWAY_TOPOLOGY = "gateway.yaml";
  static final String CLOUD_TOPOLOGY = "cloud.yaml";
  private static final String TOPIC = "replay/%s/requests";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The rig's knobs; the topologies read them as variables.
   *
   * @param gatewayModel the gateway's encoder bundle
   * @param cloudModel the cloud's encoder bundle
   * @param minConfidence the gateway forwards a record classified below this confidence (and any
   *     novel one)
   * @param feedbackMinConfidence the cloud sends verdicts at least this confident back
   * @param learn whether the gateway learns the feedback ({@code cloud.learn}); without, the
   *     loop is open: a baseline
   * @param cloudTopology a Cloud topology file whose models and resolve settings the cloud
   *     takes (its labels replaced by the data set's); null for the replay's own cloud
   */
  public record Settings(String gatewayModel, String cloudModel, double minConfidence,
      double feedbackMinConfidence, boolean learn, Path cloudTopology) {

    /** The replay's own cloud. */
    public Settings(String gatewayModel, String cloudModel, double minConfidence,
        double feedbackMinConfidence, boolean learn) {
      this(gatewayModel, cloudModel, minConfidence, feedbackMinConfidence, learn, null);
    }

    /** The same with learning on or off. */
    public Settings withLearning(boolean on) {
      return new Settings(gatewayModel, cloudModel, minConfidence, feedbackMinConfidence, on,
          cloudTopology);
    }
  }

  /**
   * What the cloud's resolver did, from its meters (all 0 for a local cloud model except
   * resolved, which counts only remote verdicts).
   *
   * @param calls HTTP requests sent
   * @param retries requests sent again
   * @param errors failed requests and broken replies
   * @param promptTokens prompt tokens the server reported
   * @param completionTokens completion tokens the server reported
   * @param resolved records the remote resolver labelled
   * @param reviewed records sent to review
   * @param model the cloud model's reference ({@code openai:<id>} or its bundle)
   */
  public record ResolverFigures(long calls, long retries, long errors, long promptTokens,
      long completionTokens, long resolved, long reviewed, String model) {}

  /**
   * Where the gateway sent one record and what it made of it.
   *
   * @param forwarded true when it went to the cloud, false when it was kept local
   * @param headVersion version of the gateway head that classified it (1 is the first)
   * @param seenAt when the rig read it from the gateway's output topics
   */
  public record Outcome(String eventId, boolean forwarded, String label, double confidence,
      boolean novel, long headVersion, Instant seenAt) {}

  private final Clock clock;
  private final MeterRegistry gatewayMeters = new SimpleMeterRegistry();
  private final MeterRegistry cloudMeters = new SimpleMeterRegistry();
  private final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
  private final List<FeedbackLearner.Lesson> lessons = new CopyOnWriteArrayList<>();
  private final Object arrivals = new Object();
  private TopologyRuntime cloud;
  private boolean remoteResolver;
  private String cloudModel;
  private TopologyRuntime gateway;
  private OutputTally tally;
  private MqttClient device;

  private LoopRig(Clock clock) {
    this.clock = clock;
  }

  /**
   * Starts the cloud, then the gateway, and waits until the gateway is healthy.
   *
   * @param workDir folder holding {@code gateway-train.jsonl} and {@code cloud-train.jsonl}
   */
  public static LoopRig start(Settings settings, Path workDir, Clock clock) {
    LoopRig rig = new LoopRig(clock);
    try {
      rig.startAll(settings, workDir);
      return rig;
    } catch (RuntimeException e) {
      rig.close();
      throw e;
    }
  }

  private void startAll(Settings settings, Path workDir) {
    Map<String, String> variables = new HashMap<>();
    variables.put("GATEWAY_MODEL", settings.gatewayModel());
    variables.put("CLOUD_MODEL", settings.cloudModel());
    variables.put("MIN_CONFIDENCE", Double.toString(settings.minConfidence()));
    variables.put("FEEDBACK_MIN_CONFIDENCE", Double.toString(settings.feedbackMinConfidence()));
    variables.put("LEARN", Boolean.toString(settings.learn()));
    RuntimeOptions options = new RuntimeOptions(null, 0, 0, workDir);
    TopologySpec cloudSpec = topology(CLOUD_TOPOLOGY, variables);
    if (settings.cloudTopology() != null) {
      cloudSpec = withResolverOf(cloudSpec, settings.cloudTopology());
      remoteResolver = cloudSpec.models().get(cloudSpec.resolve().orElseThrow().classify()
          .model()).openai().isPresent();
    }
    cloudModel = cloudSpec.models().get(cloudSpec.resolve().orElseThrow().classify().model())
        .bundle();
    cloud = TopologyRuntime.start(cloudSpec, options, cloudMeters, clock);
    variables.put("CLOUD_BOOTSTRAP", cloud.kafkaBootstrap());
    TopologySpec gatewaySpec = topology(GATEWAY_TOPOLOGY, variables);
    gateway = TopologyRuntime.start(gatewaySpec, options, gatewayMeters, clock);
    if (settings.learn()) {
      FeedbackLearner learner = gateway.learner().orElseThrow(() -> new IllegalStateException(
          "The replay's gateway runs no feedback learner: " + GATEWAY_TOPOLOGY
              + " must name a cloud with learn: true and a classify step"));
      learner.addListener(lesson -> {
        lessons.add(lesson);
        signal();
      });
    }
    tally = new OutputTally(gateway.kafkaBootstrap(),
        OutputTally.Outputs.of(gatewaySpec.topics()), this::observe);
    awaitHealthy(Duration.ofMinutes(2));
    try {
      device = new MqttClient(gateway.mqttUrl(), "sluice-replay-device", new MemoryPersistence());
      MqttConnectionOptions connection = new MqttConnectionOptions();
      connection.setCleanStart(true);
      device.setTimeToWait(30_000);
      device.connect(connection);
    } catch (MqttException e) {
      throw new IllegalStateException("The replay cannot connect to the gateway's MQTT broker "
          + gateway.mqttUrl() + ": " + e, e);
    }
  }

  /**
   * The replay's cloud with the models and resolve settings of {@code file}: its classify step
   * keeps the model and head, and learns the data set's labels from the replay's examples file;
   * topics, brokers and the feedback topic stay the replay's.
   */
  static TopologySpec withResolverOf(TopologySpec replay, Path file) {
    TopologySpec user = new TopologyLoader(System::getenv).load(file);
    if (user.kind() != TopologySpec.Kind.CLOUD) {
      throw new IllegalArgumentException("--cloud-topology " + file + " is a Gateway topology;"
          + " it must be kind: Cloud");
    }
    Resolve mine = replay.resolve().orElseThrow();
    Resolve theirs = user.resolve().orElseThrow();
    Step.Classify classify = new Step.Classify(theirs.classify().model(), Map.of(),
        mine.classify().examplesFile(), theirs.classify().head(), theirs.classify().line());
    Resolve resolve = new Resolve(mine.from(), classify, theirs.dedupeRetention(),
        theirs.feedbackMinConfidence(), mine.feedbackTopic());
    return new TopologySpec(replay.file(), replay.apiVersion(), replay.kind(),
        replay.metadata(), replay.brokers(), user.models(), List.of(), List.of(),
        Optional.of(resolve), Optional.empty(), replay.limits());
  }

  /** What the cloud's resolver did so far. */
  public ResolverFigures resolverFigures() {
    return new ResolverFigures(cloudSum(AppMeters.RESOLVER_REQUESTS.meterName()),
        cloudSum(AppMeters.RESOLVER_RETRIES.meterName()),
        cloudSum(AppMeters.RESOLVER_ERRORS.meterName()),
        cloudSum(AppMeters.RESOLVER_TOKENS.meterName(), "type", "prompt"),
        cloudSum(AppMeters.RESOLVER_TOKENS.meterName(), "type", "completion"),
        cloudSum(OperatorMeters.CLOUD_RESOLVED.meterName()),
        cloudSum(OperatorMeters.CLOUD_REVIEWED.meterName()), cloudModel);
  }

  /** Whether the cloud resolves with a model of kind openai. */
  public boolean remoteResolver() {
    return remoteResolver;
  }

  /**
   * With a remote resolver: waits until the cloud has accepted {@code forwarded} records and
   * every one it accepted has a verdict or a review entry, at most {@code limit}.
   *
   * @param forwarded how many distinct records the gateway forwarded
   * @return whether all were answered (always true for a local cloud model)
   */
  public boolean awaitCloudAnswered(long forwarded, Duration limit) {
    if (!remoteResolver) {
      return true;
    }
    Instant deadline = clock.instant().plus(limit);
    synchronized (arrivals) {
      while (true) {
        ResolverFigures f = resolverFigures();
        long accepted = cloudAccepted();
        if (accepted >= forwarded && f.resolved() + f.reviewed() >= accepted) {
          return true;
        }
        if (!clock.instant().isBefore(deadline)) {
          return false;
        }
        waitOn(Duration.ofMillis(200));
      }
    }
  }

  private long cloudSum(String meter, String... tags) {
    return (long) cloudMeters.find(meter).tags(tags).counters().stream()
        .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
  }

  private static TopologySpec topology(String name, Map<String, String> variables) {
    try (InputStream in = LoopRig.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("The replay's topology " + name + " is missing from "
            + LoopRig.class.getPackageName());
      }
      return new TopologyLoader(variables::get)
          .parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitHealthy(Duration limit) {
    Instant deadline = clock.instant().plus(limit);
    synchronized (arrivals) {
      while (!gateway.health().up()) {
        if (clock.instant().isAfter(deadline)) {
          throw new IllegalStateException("The replay's gateway was not healthy within "
              + limit + ": " + gateway.health());
        }
        waitOn(Duration.ofMillis(100));
      }
    }
  }

  /** Publishes one text at QoS 1 from {@code deviceId}; returns once the broker has it. */
  public void publish(String eventId, String deviceId, String text) {
    Map<String, String> payload = Map.of("eventId", eventId, "text", text);
    try {
      MqttMessage message = new MqttMessage(
          JSON.writeValueAsString(payload).getBytes(StandardCharsets.UTF_8));
      message.setQos(1);
      device.publish(String.format(TOPIC, deviceId), message);
    } catch (MqttException | IOException e) {
      throw new IllegalStateException("Publishing event " + eventId + " to the gateway failed: "
          + e, e);
    }
  }

  private void observe(InferenceResult result) {
    if (result.getLabel() == null) {
      return;
    }
    long head = 0;
    if (result.getModel() != null) {
      String version = result.getModel().getVersion();
      int at = version.lastIndexOf("+head.");
      head = at < 0 ? 0 : Long.parseLong(version.substring(at + 6));
    }
    Outcome outcome = new Outcome(result.getEventId(), "cloud".equals(result.getRoute()),
        result.getLabel(), result.getConfidence() == null ? 0 : result.getConfidence(),
        Boolean.TRUE.equals(result.getNovel()), head, clock.instant());
    outcomes.putIfAbsent(outcome.eventId(), outcome);
    signal();
  }

  private void signal() {
    synchronized (arrivals) {
      arrivals.notifyAll();
    }
  }

  /**
   * Waits until the gateway has routed every one of {@code eventIds}, at most {@code limit}.
   *
   * @return whether all were routed
   */
  public boolean awaitOutcomes(List<String> eventIds, Duration limit) {
    Instant deadline = clock.instant().plus(limit);
    synchronized (arrivals) {
      while (!outcomes.keySet().containsAll(eventIds)) {
        if (!clock.instant().isBefore(deadline)) {
          return false;
        }
        waitOn(Duration.ofMillis(200));
      }
      return true;
    }
  }

  /**
   * Waits until the gateway's heads have learned the verdicts on every one of {@code eventIds},
   * at most {@code limit}.
   *
   * @return whether all were learned
   */
  public boolean awaitLearned(List<String> eventIds, Duration limit) {
    Instant deadline = clock.instant().plus(limit);
    synchronized (arrivals) {
      while (!learnedEvents().containsAll(eventIds)) {
        if (!clock.instant().isBefore(deadline)) {
          return false;
        }
        waitOn(Duration.ofMillis(200));
      }
      return true;
    }
  }

  private Set<String> learnedEvents() {
    Set<String> learned = new HashSet<>();
    for (FeedbackLearner.Lesson lesson : lessons) {
      lesson.taught().forEach(t -> learned.add(t.eventId()));
    }
    return learned;
  }

  /** Waits on the arrivals monitor (the caller holds it) until signalled or {@code most}. */
  private void waitOn(Duration most) {
    try {
      arrivals.wait(most.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the gateway", e);
    }
  }

  public Optional<Outcome> outcome(String eventId) {
    return Optional.ofNullable(outcomes.get(eventId));
  }

  public int outcomeCount() {
    return outcomes.size();
  }

  /** Every lesson the gateway's feedback learner reported so far, in order. */
  public List<FeedbackLearner.Lesson> lessons() {
    return new ArrayList<>(lessons);
  }

  /** Feedback records the gateway's learner read from its feedback topic (0 without one). */
  public long feedbackReceived() {
    return gatewayCount(AppMeters.FEEDBACK_RECEIVED);
  }

  /** Feedback examples the gateway's learner handed to its classifier. */
  public long feedbackTaught() {
    return gatewayCount(AppMeters.FEEDBACK_TAUGHT);
  }

  /** Feedback the gateway's learner skipped as already taught. */
  public long feedbackDuplicates() {
    return gatewayCount(AppMeters.FEEDBACK_DUPLICATES);
  }

  private long gatewayCount(AppMeters meter) {
    var counter = gatewayMeters.find(meter.meterName()).counter();
    return counter == null ? 0 : (long) counter.count();
  }

  /** The gateway's Kafka, for tests that look at its topics. */
  public String gatewayBootstrap() {
    return gateway.kafkaBootstrap();
  }

  /** Forwarded records the cloud accepted (first copies of events). */
  public long cloudAccepted() {
    var counter = cloudMeters.find(OperatorMeters.CLOUD_ACCEPTED.meterName()).counter();
    return counter == null ? 0 : (long) counter.count();
  }

  /** Records the gateway sent to its dead-letter topic (none expected). */
  public long deadLetters() {
    return tally.deadLetters();
  }

  @Override
  public void close() {
    if (device != null) {
      try {
        if (device.isConnected()) {
          device.disconnect();
        }
        device.close();
      } catch (MqttException e) {
        // closing anyway
      }
    }
    if (tally != null) {
      tally.close();
    }
    if (gateway != null) {
      gateway.close();
    }
    if (cloud != null) {
      cloud.close();
    }
  }

}
