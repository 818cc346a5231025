package io.sluice.app.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.sluice.connectors.embedded.EmbeddedKafka;
import io.sluice.connectors.embedded.EmbeddedMqttBroker;
import io.sluice.connectors.embedded.TopicAdmin;
import io.sluice.connectors.mqtt.MqttIngress;
import io.sluice.connectors.mqtt.MqttIngressSettings;
import io.sluice.connectors.mqtt.MqttSubscription;
import io.sluice.topology.EntityModels;
import io.sluice.topology.TextModels;
import io.sluice.topology.TopologyBuilder;
import io.sluice.topology.spec.Brokers;
import io.sluice.topology.spec.Source;
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
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one topology: starts embedded brokers where the file says {@code embedded}, creates the
 * topics, starts the Kafka Streams application (exactly-once v2) and, for a gateway, the MQTT
 * ingress. A cloud topology has no MQTT side.
 *
 * <p>Shutdown runs in the reverse order of the data: the ingress stops taking messages first (what
 * it has not acknowledged stays with the MQTT broker), its producer flushes, Kafka Streams commits
 * and closes, and the embedded brokers stop last.
 */
public final class TopologyRuntime implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TopologyRuntime.class);

  private final TopologySpec spec;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final String kafkaBootstrap;
  private final String mqttUrl;
  private final KafkaStreams streams;
  private final MqttIngress ingress;
  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaStreamsMetrics streamsMetrics;
  private volatile boolean closed;
  private Models models;

  private TopologyRuntime(TopologySpec spec, String kafkaBootstrap, String mqttUrl,
      KafkaStreams streams, MqttIngress ingress, KafkaProducer<byte[], byte[]> producer,
      KafkaStreamsMetrics streamsMetrics) {
    this.spec = spec;
    this.kafkaBootstrap = kafkaBootstrap;
    this.mqttUrl = mqttUrl;
    this.streams = streams;
    this.ingress = ingress;
    this.producer = producer;
    this.streamsMetrics = streamsMetrics;
  }

  /** Starts everything with the runtime's own models (closed with it). */
  public static TopologyRuntime start(TopologySpec spec, RuntimeOptions options,
      MeterRegistry registry, Clock clock) {
    Models models = new Models(registry);
    try {
      TopologyRuntime runtime = start(spec, options, registry, clock, models, models);
      runtime.models = models;
      runtime.closeables.add(0, models);
      return runtime;
    } catch (RuntimeException e) {
      models.close();
      throw e;
    }
  }

  /**
   * Starts everything with the given models (the caller closes them); on failure, stops what was
   * started and rethrows.
   */
  public static TopologyRuntime start(TopologySpec spec, RuntimeOptions options,
      MeterRegistry registry, Clock clock, TextModels models) {
    return start(spec, options, registry, clock, models, EntityModels.none());
  }

  /**
   * Starts everything with the given models, entity models included (the caller closes them);
   * on failure, stops what was started and rethrows.
   */
  public static TopologyRuntime start(TopologySpec spec, RuntimeOptions options,
      MeterRegistry registry, Clock clock, TextModels models, EntityModels entityModels) {
    List<AutoCloseable> started = new ArrayList<>();
    try {
      Brokers brokers = spec.brokers();
      Path dataDir = options.dataDir();
      String bootstrap;
      if (brokers.kafka().embedded()) {
        EmbeddedKafka kafka = EmbeddedKafka.start(
            dataDir == null ? null : dataDir.resolve("kafka"), options.kafkaPort());
        started.add(kafka);
        bootstrap = kafka.bootstrapServers();
      } else {
        bootstrap = brokers.kafka().bootstrap();
      }
      boolean gateway = spec.kind() == TopologySpec.Kind.GATEWAY;
      String mqttUrl = null;
      if (!gateway) {
        // no MQTT side
      } else if (brokers.mqtt().embedded()) {
        EmbeddedMqttBroker mqtt = EmbeddedMqttBroker.start(options.mqttPort(), null, false);
        started.add(mqtt);
        mqttUrl = mqtt.url();
      } else {
        mqttUrl = brokers.mqtt().url();
      }
      createTopics(spec, bootstrap);

      Topology topology = new TopologyBuilder(registry, clock, models, entityModels,
          options.baseDir()).build(spec);
      log.debug("Topology {}: {}", spec.metadata().name(), topology.describe());
      KafkaStreams streams = new KafkaStreams(topology, streamsConfig(spec, bootstrap, dataDir));
      streams.setUncaughtExceptionHandler(e -> {
        log.error("Stream thread failed, replacing it: {}", e.toString());
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
      });
      streams.setStateListener((now, before) ->
          log.info("Kafka Streams state {} -> {}", before, now));
      KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
      streamsMetrics.bindTo(registry);
      streams.start();

      KafkaProducer<byte[], byte[]> producer = null;
      MqttIngress ingress = null;
      if (gateway) {
        producer = ingressProducer(bootstrap, spec);
        ingress = new MqttIngress(ingressSettings(spec, mqttUrl), producer, registry, clock);
        ingress.start();
      }
      TopologyRuntime runtime = new TopologyRuntime(spec, bootstrap, mqttUrl, streams, ingress,
          producer, streamsMetrics);
      runtime.closeables.addAll(started);
      log.info("{} {} running: {}Kafka {} (namespace {})", gateway ? "Gateway" : "Cloud",
          spec.metadata().name(), gateway ? "MQTT " + mqttUrl + " -> " : "", bootstrap,
          spec.metadata().namespace());
      return runtime;
    } catch (RuntimeException e) {
      for (int i = started.size() - 1; i >= 0; i--) {
        try {
          started.get(i).close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  public TopologySpec spec() {
    return spec;
  }

  /** The runtime's own models, when it made them (to learn from feedback, serve the HTTP API). */
  public java.util.Optional<Models> models() {
    return java.util.Optional.ofNullable(models);
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
    return ingress == null ? MqttIngress.State.CLOSED : ingress.state();
  }

  /** Component states for {@code /health}: healthy when streams run and MQTT is connected. */
  public Health health() {
    Map<String, Health.Component> components = new LinkedHashMap<>();
    KafkaStreams.State s = streams.state();
    components.put("streams", new Health.Component(
        s == KafkaStreams.State.RUNNING, s.name(), kafkaBootstrap));
    if (ingress != null) {
      MqttIngress.State m = ingress.state();
      components.put("mqtt", new Health.Component(
          m == MqttIngress.State.CONNECTED, m.name(), mqttUrl));
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
    if (ingress != null) {
      ingress.close();
      producer.flush();
      producer.close(Duration.ofSeconds(10));
    }
    streams.close(Duration.ofSeconds(30));
    streamsMetrics.close();
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        log.warn("Could not stop {}: {}", closeables.get(i).getClass().getSimpleName(),
            e.getMessage());
      }
    }
    log.info("{} stopped", spec.metadata().name());
  }

  static void createTopics(TopologySpec spec, String bootstrap) {
    Topics topics = spec.topics();
    int partitions = spec.brokers().kafka().partitions();
    Map<String, Integer> wanted = new LinkedHashMap<>();
    if (spec.resolve().isPresent()) {
      String feedback = spec.resolve().get().feedbackTopic();
      wanted.put(spec.resolve().get().from(), partitions);
      wanted.put(topics.verdicts(), partitions);
      wanted.put(feedback, partitions);
      TopicAdmin.ensureTopics(bootstrap, wanted,
          Map.of(feedback, Map.of("cleanup.policy", "compact")));
      return;
    }
    for (Source source : spec.sources()) {
      wanted.put(topics.input(source.name()), partitions);
    }
    for (String out : List.of(topics.results(), topics.deadLetters(), topics.forward(),
        topics.review(), topics.alerts(), topics.summaries())) {
      wanted.put(out, partitions);
    }
    wanted.put(topics.feedback(), partitions);
    TopicAdmin.ensureTopics(bootstrap, wanted,
        Map.of(topics.feedback(), Map.of("cleanup.policy", "compact")));
  }

  static Properties streamsConfig(TopologySpec spec, String bootstrap, Path dataDir) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG,
        spec.metadata().namespace() + "-" + spec.metadata().name());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
        spec.brokers().kafka().commitInterval().toMillis());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir(spec, dataDir).toString());
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
    // The cache folds repeated writes of a key (anomaly state, say) into one changelog write per
    // commit; with exactly-once the cache is flushed at every commit, so nothing is held back.
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 16L * 1024 * 1024);
    return p;
  }

  private static Path stateDir(TopologySpec spec, Path dataDir) {
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

  static MqttIngressSettings ingressSettings(TopologySpec spec, String mqttUrl) {
    Topics topics = spec.topics();
    List<MqttSubscription> subs = spec.sources().stream()
        .map(s -> new MqttSubscription(s.name(), s.topic(), s.qos(), topics.input(s.name()),
            s.deviceIdLevel()))
        .toList();
    Brokers.Mqtt mqtt = spec.brokers().mqtt();
    return new MqttIngressSettings(mqttUrl, mqtt.clientId(), subs, mqtt.receiveMaximum(),
        mqtt.sessionExpiry(), mqtt.username(), mqtt.password(), Duration.ofMillis(100),
        Duration.ofSeconds(30));
  }
}
