package io.sluice.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.sluice.runtime.resolve.OpenAiResolver;
import io.sluice.runtime.review.ReviewQueue;
import io.sluice.connectors.KafkaCluster;
import io.sluice.inference.Ticker;
import io.sluice.connectors.embedded.EmbeddedKafka;
import io.sluice.connectors.embedded.EmbeddedMqttBroker;
import io.sluice.connectors.embedded.TopicAdmin;
import io.sluice.connectors.link.CloudLink;
import io.sluice.connectors.link.CloudLinkSettings;
import io.sluice.connectors.link.LinkRoute;
import io.sluice.connectors.mqtt.MqttEgress;
import io.sluice.connectors.mqtt.MqttEgressSettings;
import io.sluice.connectors.mqtt.MqttEndpoint;
import io.sluice.connectors.mqtt.MqttIngress;
import io.sluice.connectors.mqtt.MqttIngressSettings;
import io.sluice.connectors.mqtt.MqttSubscription;
import io.sluice.connectors.opcua.OpcUaSource;
import io.sluice.connectors.opcua.OpcUaSourceSettings;
import io.sluice.connectors.mqtt.MqttTls;
import io.sluice.topology.Decoders;
import io.sluice.topology.EntityModels;
import io.sluice.topology.TextModels;
import io.sluice.topology.TopologyBuilder;
import io.sluice.topology.spec.Brokers;
import io.sluice.topology.spec.Pipeline;
import io.sluice.topology.spec.Source;
import io.sluice.topology.spec.Step;
import io.sluice.topology.spec.Topics;
import io.sluice.topology.spec.TopologySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one topology: starts embedded brokers where the file says {@code embedded}, creates the
 * topics, starts the Kafka Streams application (exactly-once v2) and, for a gateway, the MQTT
 * ingress, the MQTT egress (when a route publishes alerts), the cloud link (when the file names
 * a cloud cluster) and the feedback learner. A cloud topology has no MQTT side.
 *
 * <p>Shutdown runs in the order of the data: the ingress stops taking messages first (what it has
 * not acknowledged stays with the MQTT broker), its producer flushes, Kafka Streams commits and
 * closes, the egress and the link finish what they hold, the models close, and the embedded
 * brokers stop last.
 */
public final class TopologyRuntime implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TopologyRuntime.class);

  private final TopologySpec spec;
  private final String kafkaBootstrap;
  private final String mqttUrl;
  /** What to stop, in the order to stop it. */
  private final List<Stoppable> stopOrder = new ArrayList<>();
  private KafkaStreams streams;
  private MqttIngress ingress;
  private MqttIngress sparkplugIngress;
  private final List<OpcUaSource> opcUaSources = new ArrayList<>();
  private MqttEgress egress;
  private CloudLink link;
  private FeedbackLearner learner;
  private Models models;
  private ReviewQueue review;
  private volatile boolean closed;

  private record Stoppable(String name, AutoCloseable resource) {}

  private TopologyRuntime(TopologySpec spec, String kafkaBootstrap, String mqttUrl) {
    this.spec = spec;
    this.kafkaBootstrap = kafkaBootstrap;
    this.mqttUrl = mqttUrl;
  }

  /** Starts everything with the runtime's own models (closed with it). */
  public static TopologyRuntime start(TopologySpec spec, RuntimeOptions options,
      MeterRegistry registry, Clock clock) {
    Models models = new Models(registry, clock, Ticker.system());
    try {
      return start(spec, options, registry, clock, models, models, models);
    } catch (RuntimeException e) {
      models.close();
      throw e;
    }
  }

  /** Starts everything with the given models (the caller closes them). */
  public static TopologyRuntime start(TopologySpec spec, RuntimeOptions options,
      MeterRegistry registry, Clock clock, TextModels textModels) {
    return start(spec, options, registry, clock, textModels, EntityModels.none(), null);
  }

  /** Starts everything with the given models, entity models included (the caller closes them). */
  public static TopologyRuntime start(TopologySpec spec, RuntimeOptions options,
      MeterRegistry registry, Clock clock, TextModels textModels, EntityModels entityModels) {
    return start(spec, options, registry, clock, textModels, entityModels, null);
  }

  private static TopologyRuntime start(TopologySpec spec, RuntimeOptions options,
      MeterRegistry registry, Clock clock, TextModels textModels, EntityModels entityModels,
      Models owned) {
    List<Stoppable> brokersStarted = new ArrayList<>();
    TopologyRuntime runtime = null;
    try {
      Brokers brokers = spec.brokers();
      Path dataDir = options.dataDir();
      boolean gateway = spec.kind() == TopologySpec.Kind.GATEWAY;
      String bootstrap;
      if (brokers.kafka().embedded()) {
        EmbeddedKafka kafka = EmbeddedKafka.start(
            dataDir == null ? null : dataDir.resolve("kafka"), options.kafkaPort());
        brokersStarted.add(new Stoppable("embedded Kafka", kafka));
        bootstrap = kafka.bootstrapServers();
      } else {
        bootstrap = brokers.kafka().bootstrap();
      }
      String mqttUrl = null;
      if (gateway && brokers.mqtt().embedded()) {
        EmbeddedMqttBroker mqtt = EmbeddedMqttBroker.start(options.mqttPort(), null, false);
        brokersStarted.add(0, new Stoppable("embedded MQTT broker", mqtt));
        mqttUrl = mqtt.url();
      } else if (gateway) {
        mqttUrl = brokers.mqtt().url();
      }
      runtime = new TopologyRuntime(spec, bootstrap, mqttUrl);
      runtime.models = owned;
      createTopics(spec, bootstrap);
      runtime.startStreams(registry, clock, textModels, entityModels, options);
      if (gateway) {
        runtime.startGatewaySide(registry, clock, options.baseDir());
      }
      runtime.startReview(registry, clock);
      if (owned != null) {
        runtime.stopOrder.add(new Stoppable("models", owned));
      }
      runtime.stopOrder.addAll(brokersStarted);
      log.info("{} {} running: {}Kafka {} (namespace {})", gateway ? "Gateway" : "Cloud",
          spec.metadata().name(), gateway ? "MQTT " + mqttUrl + " -> " : "", bootstrap,
          spec.metadata().namespace());
      return runtime;
    } catch (RuntimeException e) {
      if (runtime != null) {
        runtime.stopAll();
      }
      for (Stoppable s : brokersStarted) {
        try {
          s.resource().close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  /** The review queue over this topology's review topic; closed before the brokers. */
  private void startReview(MeterRegistry registry, Clock clock) {
    io.sluice.topology.spec.Topics topics = spec.topics();
    String feedback = spec.resolve().map(r -> r.feedbackTopic()).orElse(topics.feedback());
    review = ReviewQueue.start(new ReviewQueue.Topics(kafkaBootstrap, topics.review(),
        topics.reviewDecisions(), topics.audit(), feedback,
        spec.resolve().isPresent() ? "" : spec.metadata().name(),
        "sluice-review-" + spec.metadata().namespace() + "-" + spec.metadata().name() + "-"
            + java.util.UUID.randomUUID()), clock, registry, Duration.ofSeconds(60));
    stopOrder.add(new Stoppable("review queue", review));
  }

  /** The queue of records routed to review. */
  public Optional<ReviewQueue> review() {
    return Optional.ofNullable(review);
  }

  private void startStreams(MeterRegistry registry, Clock clock, TextModels models,
      EntityModels entityModels, RuntimeOptions options) {
    Decoders decoders = models instanceof Decoders d ? d : Decoders.none();
    Topology topology = new TopologyBuilder(registry, clock, models, entityModels, decoders,
        options.baseDir(), io.sluice.topology.step.StepKinds.builtIn()).build(spec);
    log.debug("Topology {}: {}", spec.metadata().name(), topology.describe());
    streams = new KafkaStreams(topology, streamsConfig(spec, kafkaBootstrap, options.dataDir()));
    streams.setUncaughtExceptionHandler(e -> {
      log.error("Stream thread failed, replacing it: {}", e.toString());
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    });
    streams.setStateListener((now, before) ->
        log.info("Kafka Streams state {} -> {}", before, now));
    KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    streams.start();
    stopOrder.add(new Stoppable("Kafka Streams", () -> {
      // A static member stays in its group when it closes unless told to leave; leaving hands
      // its partitions to the other instances now rather than after the session timeout.
      streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
          .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
      streamsMetrics.close();
    }));
  }

  private void startGatewaySide(MeterRegistry registry, Clock clock, Path baseDir) {
    Brokers.Mqtt mqtt = spec.brokers().mqtt();
    KafkaProducer<byte[], byte[]> producer = ingressProducer(kafkaBootstrap, spec);
    List<MqttIngress> started = new ArrayList<>();
    Optional<MqttIngressSettings> plain = ingressSettings(spec, mqttUrl);
    if (plain.isPresent()) {
      ingress = new MqttIngress(plain.get(), producer, registry, clock);
      started.add(ingress);
    }
    Optional<MqttIngressSettings> sparkplug = sparkplugIngressSettings(spec, mqttUrl);
    if (sparkplug.isPresent()) {
      sparkplugIngress = new MqttIngress(sparkplug.get(), producer, registry, clock);
      started.add(sparkplugIngress);
    }
    for (Source source : spec.sources()) {
      if (source.isOpcUa()) {
        OpcUaSource opcua = new OpcUaSource(opcUaSettings(spec, source, baseDir), producer, registry,
            clock);
        opcUaSources.add(opcua);
      }
    }
    started.forEach(MqttIngress::start);
    opcUaSources.forEach(OpcUaSource::start);
    // The ingress stops first: before the streams, so that what it took reaches Kafka.
    stopOrder.add(0, new Stoppable("MQTT ingress", () -> {
      started.forEach(MqttIngress::close);
      opcUaSources.forEach(OpcUaSource::close);
      producer.flush();
      producer.close(Duration.ofSeconds(10));
    }));
    KafkaCluster gatewayCluster = KafkaCluster.of("gateway", kafkaBootstrap);
    if (publishesAlerts(spec)) {
      MqttEndpoint endpoint = new MqttEndpoint(mqttUrl, mqtt.clientId() + "-alerts",
          mqtt.username(), mqtt.password(), tls(mqtt.tls(), mqttUrl));
      egress = new MqttEgress(MqttEgressSettings.of(endpoint, spec.topics().alerts(),
          spec.metadata().namespace() + "-" + spec.metadata().name() + "-egress")
          .withDeadLetterTopic(spec.topics().deadLetters()), gatewayCluster, registry, clock);
      egress.start();
      stopOrder.add(new Stoppable("MQTT egress", egress));
    }
    Optional<io.sluice.topology.spec.CloudLink> cloud = spec.cloud();
    if (cloud.isPresent()) {
      KafkaCluster cloudCluster = new KafkaCluster("cloud", cloud.get().bootstrap(),
          cloud.get().properties());
      link = new CloudLink(CloudLinkSettings.of(
          spec.metadata().namespace() + "-" + spec.metadata().name() + "-link",
          List.of(gatewayCluster, cloudCluster),
          LinkRoute.gatewayRoutes(spec.topics().forward(), spec.topics().summaries(),
              spec.topics().feedback(), "gateway", "cloud"))
          .withInstanceId(mqtt.clientId())
          .withDeadLetters(new CloudLinkSettings.DeadLetterRoute("gateway",
              spec.topics().deadLetters())), registry, clock);
      link.start();
      stopOrder.add(new Stoppable("cloud link", link));
    }
    // Feedback teaches the classifiers: the cloud's verdicts (when learn is on) and people's
    // review decisions, which arrive on the same topic.
    if ((cloud.isEmpty() || cloud.get().learn()) && models != null) {
      Map<String, io.sluice.runtime.rollout.RolloutModel> bySource = new LinkedHashMap<>();
      for (Pipeline p : spec.pipelines()) {
        for (Step.Classify c : p.steps(Step.Classify.class)) {
          models.forStep(c).ifPresent(m -> bySource.put(p.from(), m));
        }
      }
      if (!bySource.isEmpty()) {
        learner = new FeedbackLearner(kafkaBootstrap, spec.topics().feedback(),
            spec.metadata().name(), bySource, models, registry, clock);
        learner.start();
        stopOrder.add(new Stoppable("feedback learner", learner));
      }
    }
  }

  public TopologySpec spec() {
    return spec;
  }

  /** The runtime's own models, when it made them (to learn from feedback, serve the HTTP API). */
  public Optional<Models> models() {
    return Optional.ofNullable(models);
  }

  public String kafkaBootstrap() {
    return kafkaBootstrap;
  }

  public String mqttUrl() {
    return mqttUrl;
  }

  public KafkaStreams.State streamsState() {
    return streams.state();
  }

  /** The ingress state; {@code CLOSED} for a cloud topology, which has none. */
  public MqttIngress.State mqttState() {
    MqttIngress first = ingress != null ? ingress : sparkplugIngress;
    return first == null ? MqttIngress.State.CLOSED : first.state();
  }

  /** The feedback learner, when the gateway learns from its cloud. */
  public Optional<FeedbackLearner> learner() {
    return Optional.ofNullable(learner);
  }

  /**
   * Component states for {@code /health}. The gateway is up when its streams run and the ingress
   * is connected; the egress and the cloud link are reported but do not make it down (records
   * wait in Kafka while they are away).
   */
  public Health health() {
    Map<String, Health.Component> components = new LinkedHashMap<>();
    KafkaStreams.State s = streams.state();
    components.put("streams", new Health.Component(
        s == KafkaStreams.State.RUNNING, s.name(), kafkaBootstrap, true));
    if (ingress != null) {
      MqttIngress.State m = ingress.state();
      components.put("mqtt", new Health.Component(
          m == MqttIngress.State.CONNECTED, m.name(), mqttUrl, true));
    }
    if (sparkplugIngress != null) {
      MqttIngress.State m = sparkplugIngress.state();
      components.put("sparkplug", new Health.Component(
          m == MqttIngress.State.CONNECTED, m.name(), mqttUrl, true));
    }
    for (OpcUaSource opcua : opcUaSources) {
      OpcUaSource.State o = opcua.state();
      components.put("opcua." + opcua.settings().source(), new Health.Component(
          o == OpcUaSource.State.SUBSCRIBED, o.name(), opcua.settings().endpoint(), true));
    }
    if (egress != null) {
      MqttEgress.State e = egress.state();
      components.put("egress", new Health.Component(
          e == MqttEgress.State.CONNECTED, e.name(), spec.topics().alerts(), false));
    }
    if (link != null) {
      CloudLink.State l = link.state();
      components.put("link", new Health.Component(
          l == CloudLink.State.UP, l.name(), spec.cloud().orElseThrow().bootstrap(), false));
    }
    if (models != null) {
      for (OpenAiResolver resolver : models.resolvers()) {
        OpenAiResolver.State r = resolver.state();
        components.put("resolver." + resolver.name(), new Health.Component(
            r == OpenAiResolver.State.UP, r.name(), resolver.version(), false));
      }
    }
    return new Health(components);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    log.info("{} stopping", spec.metadata().name());
    stopAll();
    log.info("{} stopped", spec.metadata().name());
  }

  private void stopAll() {
    for (Stoppable s : stopOrder) {
      try {
        s.resource().close();
      } catch (Exception e) {
        log.warn("Could not stop the {} cleanly: {}", s.name(), e.getMessage());
      }
    }
    stopOrder.clear();
  }

  static boolean publishesAlerts(TopologySpec spec) {
    return spec.pipelines().stream().flatMap(p -> p.route().stream())
        .anyMatch(r -> r.to().startsWith("mqtt:"))
        || spec.sources().stream().anyMatch(Source::isSparkplug); // rebirth requests
  }

  static void createTopics(TopologySpec spec, String bootstrap) {
    Topics topics = spec.topics();
    int partitions = spec.brokers().kafka().partitions();
    Map<String, Integer> wanted = new LinkedHashMap<>();
    Map<String, Map<String, String>> configs = new LinkedHashMap<>();
    if (spec.resolve().isPresent()) {
      String feedback = spec.resolve().get().feedbackTopic();
      String from = spec.resolve().get().from();
      wanted.put(from, partitions);
      wanted.put(Topics.namespaceOf(from).summaries(), partitions);
      wanted.put(topics.verdicts(), partitions);
      wanted.put(topics.review(), partitions);
      wanted.put(topics.reviewDecisions(), partitions);
      wanted.put(topics.audit(), partitions);
      configs.put(topics.reviewDecisions(), Map.of("cleanup.policy", "compact"));
      wanted.put(feedback, partitions);
      configs.put(feedback, Map.of("cleanup.policy", "compact"));
      TopicAdmin.ensureTopics(bootstrap, wanted, configs);
      return;
    }
    for (Source source : spec.sources()) {
      wanted.put(topics.input(source.name()), partitions);
    }
    for (String out : List.of(topics.results(), topics.deadLetters(), topics.forward(),
        topics.review(), topics.alerts(), topics.summaries(), topics.feedback(),
        topics.reviewDecisions(), topics.audit())) {
      wanted.put(out, partitions);
    }
    configs.put(topics.feedback(), Map.of("cleanup.policy", "compact"));
    configs.put(topics.reviewDecisions(), Map.of("cleanup.policy", "compact"));
    spec.cloud().ifPresent(cloud -> {
      // While the link is down, forwarded records wait here: retention is the link's buffer.
      String ms = Long.toString(cloud.retention().toMillis());
      configs.put(topics.forward(), Map.of("retention.ms", ms));
      configs.put(topics.summaries(), Map.of("retention.ms", ms));
    });
    TopicAdmin.ensureTopics(bootstrap, wanted, configs);
  }

  static Properties streamsConfig(TopologySpec spec, String bootstrap, Path dataDir) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG,
        spec.metadata().namespace() + "-" + spec.metadata().name());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
        spec.brokers().kafka().commitInterval().toMillis());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, spec.brokers().kafka().streamThreads());
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir(dataDir).toString());
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
    if (spec.kind() == TopologySpec.Kind.GATEWAY) {
      // Static membership, keyed by the MQTT client id (unique per gateway instance, or the MQTT
      // broker would already throw one off): a gateway restarted after a crash takes its
      // partitions back at once instead of waiting for the dead member's session to time out
      // (45 s), during which nothing is processed.
      p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
          spec.brokers().mqtt().clientId());
    } else {
      // Cloud instances share the partitions dynamically; when one dies, the others take its
      // partitions (and the calls it had in flight) after 10 s rather than the default 45 s.
      p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
      p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 2_000);
    }
    // The cache folds repeated writes of a key (anomaly state, say) into one changelog write per
    // commit; with exactly-once the cache is flushed at every commit, so nothing is held back.
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 16L * 1024 * 1024);
    return p;
  }

  private static Path stateDir(Path dataDir) {
    try {
      Path dir = dataDir == null
          ? Files.createTempDirectory("sluice-state-")
          : dataDir.resolve("state");
      Files.createDirectories(dir);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the Kafka Streams state folder", e);
    }
  }

  static KafkaProducer<byte[], byte[]> ingressProducer(String bootstrap, TopologySpec spec) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-ingress-" + spec.metadata().name());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** The ingress of the plain MQTT sources (JSON, CSV, Avro), if there are any. */
  static Optional<MqttIngressSettings> ingressSettings(TopologySpec spec, String mqttUrl) {
    Topics topics = spec.topics();
    List<MqttSubscription> subs = spec.sources().stream()
        .filter(s -> !s.isOpcUa() && !s.isSparkplug())
        .map(s -> new MqttSubscription(s.name(), s.topic(), s.qos(), topics.input(s.name()),
            s.deviceIdLevel()))
        .toList();
    if (subs.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(mqttSettings(spec, mqttUrl, spec.brokers().mqtt().clientId(), subs));
  }

  /**
   * The Sparkplug host's own connection (clean start, STATE), separate from the plain ingress,
   * whose persistent session must not be cleaned; client id {@code <clientId>-sparkplug}.
   */
  static Optional<MqttIngressSettings> sparkplugIngressSettings(TopologySpec spec,
      String mqttUrl) {
    Topics topics = spec.topics();
    List<Source> sources = spec.sources().stream().filter(Source::isSparkplug).toList();
    if (sources.isEmpty()) {
      return Optional.empty();
    }
    List<MqttSubscription> subs = sources.stream()
        .map(s -> new MqttSubscription(s.name(), s.topic(), s.qos(), topics.input(s.name()),
            s.deviceIdLevel(), true))
        .toList();
    Optional<String> hostId = sources.stream().map(s -> s.sparkplug().hostId())
        .flatMap(Optional::stream).findFirst();
    return Optional.of(mqttSettings(spec, mqttUrl, spec.brokers().mqtt().clientId()
        + "-sparkplug", subs)
        .withSparkplugHost(new MqttIngressSettings.SparkplugHost(hostId)));
  }

  /** An OPC UA source's settings; relative files are resolved against the topology's folder. */
  static OpcUaSourceSettings opcUaSettings(TopologySpec spec, Source source, Path baseDir) {
    Source.OpcUa o = source.opcua();
    Path base = baseDir == null ? Path.of(".") : baseDir;
    List<OpcUaSourceSettings.Node> nodes = o.nodes().stream()
        .map(n -> new OpcUaSourceSettings.Node(n.nodeId(), n.browsePath(), n.device(),
            n.metric()))
        .toList();
    return new OpcUaSourceSettings(source.name(), o.endpoint(), o.securityPolicy(),
        o.securityMode(), o.username(), o.password(), o.certificate().map(base::resolve),
        o.certificatePassword(), base.resolve(o.trustDir()), nodes, o.samplingInterval(),
        o.queueSize(), o.deadband(), o.badStatus() == Source.BadStatus.DLQ, o.bufferSize(),
        spec.topics().input(source.name()), spec.topics().deadLetters(), Duration.ofMillis(100),
        Duration.ofSeconds(30));
  }

  private static MqttIngressSettings mqttSettings(TopologySpec spec, String mqttUrl,
      String clientId, List<MqttSubscription> subs) {
    Brokers.Mqtt mqtt = spec.brokers().mqtt();
    return new MqttIngressSettings(mqttUrl, clientId, subs, mqtt.receiveMaximum(),
        mqtt.sessionExpiry(), mqtt.username(), mqtt.password(), Duration.ofMillis(100),
        Duration.ofSeconds(30)).withTls(tls(mqtt.tls(), mqttUrl))
        .withDeadLetters(new MqttIngressSettings.DeadLetterRoute(spec.topics().deadLetters(),
            spec.limits().maxPayloadBytes(), POISON_KEPT_BYTES));
  }

  /** How many first bytes of a poison payload its dead letter keeps. */
  static final int POISON_KEPT_BYTES = 16 * 1024;

  static MqttTls tls(Brokers.Tls tls, String url) {
    if (url == null || !url.startsWith("ssl://")) {
      return MqttTls.defaults();
    }
    return new MqttTls(tls.trustStore().map(Path::of), tls.trustStorePassword(),
        tls.keyStore().map(Path::of), tls.keyStorePassword(), tls.keyFile().map(Path::of),
        tls.verifyHostname());
  }
}
