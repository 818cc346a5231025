package io.sluice.topology;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.operators.anomaly.AnomalyConfig;
import io.sluice.operators.anomaly.AnomalyOperator;
import io.sluice.operators.anomaly.DetectionMethod;
import io.sluice.operators.anomaly.DetectorSettings;
import io.sluice.operators.cloud.DedupeProcessor;
import io.sluice.operators.cloud.ResolveProcessor;
import io.sluice.operators.cloud.Resolver;
import io.sluice.operators.cloud.VerdictProcessor;
import io.sluice.operators.decode.AvroPayloadDecoder;
import io.sluice.operators.decode.CsvPayloadDecoder;
import io.sluice.operators.decode.DecodeProcessor;
import io.sluice.operators.decode.EventSchema;
import io.sluice.operators.decode.JsonPayloadDecoder;
import io.sluice.operators.decode.PayloadDecoder;
import io.sluice.operators.sparkplug.SparkplugProcessor;
import io.sluice.operators.extract.EntityModel;
import io.sluice.operators.extract.ExtractProcessor;
import io.sluice.operators.extract.FieldExtractor;
import io.sluice.operators.extract.ModelExtractProcessor;
import io.sluice.operators.infer.InferProcessor;
import io.sluice.operators.infer.InferSettings;
import io.sluice.operators.infer.TextModel;
import io.sluice.operators.infer.BatchingProcessor;
import io.sluice.operators.redact.RedactProcessor;
import io.sluice.operators.route.RouteProcessor;
import io.sluice.operators.route.RoutingException;
import io.sluice.operators.route.RoutingRules;
import io.sluice.operators.route.RuleError;
import io.sluice.operators.route.RuleSpec;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.DeadLetter;
import io.sluice.schemas.Feedback;
import io.sluice.schemas.ForwardedRecord;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.PipelineRecord;
import io.sluice.schemas.SensorWindowSummary;
import io.sluice.topology.spec.InferenceBatching;
import io.sluice.topology.spec.Pipeline;
import io.sluice.topology.spec.Resolve;
import io.sluice.topology.spec.RouteRule;
import io.sluice.topology.spec.Source;
import io.sluice.topology.spec.Step;
import io.sluice.topology.spec.Topics;
import io.sluice.topology.spec.TopologySpec;
import io.sluice.topology.step.StepContext;
import io.sluice.topology.step.StepKind;
import io.sluice.topology.step.StepKinds;
import io.sluice.topology.step.StepOperator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Turns a topology spec into a Kafka Streams {@link Topology}.
 *
 * <p><b>Gateway.</b> Per source: its input topic, a decode operator (bad input to the dead-letter
 * sink), the pipeline's steps in order, and a route operator that sends each record to one sink:
 * results (local), forward (cloud), review, alerts (MQTT). A pipeline's classify and novelty steps
 * share one model pass: they become a single batched infer operator at the position of the first
 * of them. A window step's per-window summaries go to the summaries sink.
 *
 * <p><b>Cloud.</b> Forwarded records are de-duplicated by event id, labelled by the cloud's model
 * through the same batched infer operator, and written as verdicts and feedback.
 */
public final class TopologyBuilder {

  private final StepKinds kinds;
  private final MeterRegistry registry;
  private final Clock clock;
  private final TextModels models;
  private final EntityModels entityModels;
  private final Decoders decoders;
  private final Path baseDir;

  /**
   * A builder whose extract steps may not name models.
   *
   * @param baseDir folder of the topology file, for relative paths; null for bundled files
   */
  public TopologyBuilder(MeterRegistry registry, Clock clock, TextModels models, Path baseDir) {
    this(registry, clock, models, EntityModels.none(), baseDir);
  }

  /**
   * @param entityModels makes the models of extract steps that name one
   * @param baseDir folder of the topology file, for relative paths; null for bundled files
   */
  public TopologyBuilder(MeterRegistry registry, Clock clock, TextModels models,
      EntityModels entityModels, Path baseDir) {
    this(registry, clock, models, entityModels, baseDir, StepKinds.builtIn());
  }

  /**
   * @param kinds the step kinds the pipelines may use; {@link StepKinds#builtIn()} unless a
   *     topology uses kinds of its own
   */
  public TopologyBuilder(MeterRegistry registry, Clock clock, TextModels models,
      EntityModels entityModels, Path baseDir, StepKinds kinds) {
    this(registry, clock, models, entityModels, Decoders.none(), baseDir, kinds);
  }

  /**
   * @param decoders opens the decoder models of generate steps
   */
  public TopologyBuilder(MeterRegistry registry, Clock clock, TextModels models,
      EntityModels entityModels, Decoders decoders, Path baseDir, StepKinds kinds) {
    this.decoders = decoders;
    this.kinds = kinds;
    this.registry = registry;
    this.clock = clock;
    this.models = models;
    this.entityModels = entityModels;
    this.baseDir = baseDir;
  }

  public Topology build(TopologySpec spec) {
    return spec.kind() == TopologySpec.Kind.CLOUD ? cloud(spec) : gateway(spec);
  }

  private Topology gateway(TopologySpec spec) {
    Topics topics = spec.topics();
    Topology topology = new Topology();
    Map<String, List<String>> sinkParents = new LinkedHashMap<>();
    for (String sink : List.of(RESULTS, FORWARD, REVIEW, ALERTS, DEAD_LETTERS)) {
      sinkParents.put(sink, new ArrayList<>());
    }
    Map<String, String> summarySinks = new LinkedHashMap<>();
    for (Source source : spec.sources()) {
      Pipeline pipeline = spec.pipelineFor(source.name()).orElse(null);
      String prefix = pipeline == null ? source.name() : pipeline.name();
      String in = "in-" + source.name();
      topology.addSource(in, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
          topics.input(source.name()));
      List<Stage> stages = pipeline == null ? List.of() : stages(spec, pipeline);
      // The anomaly operator forwards to a child with a fixed name, so the node after a window
      // stage takes that name.
      String route = prefix + ".route";
      for (int i = 0; i < stages.size(); i++) {
        Stage stage = stages.get(i);
        String successor = i > 0 && stages.get(i - 1).forwardsTo != null
            ? stages.get(i - 1).forwardsTo : null;
        if (successor != null) {
          stage.name = successor;
        }
      }
      if (!stages.isEmpty() && stages.get(stages.size() - 1).forwardsTo != null) {
        route = stages.get(stages.size() - 1).forwardsTo;
      }
      String decodeNode = prefix + ".decode";
      String afterDecode = stages.isEmpty() ? route : stages.get(0).name;
      if (source.isSparkplug()) {
        // the Sparkplug host: one message in, a record per metric out, rebirth requests to MQTT
        SparkplugProcessor.Settings settings = new SparkplugProcessor.Settings(source.name(),
            schema(source), prefix + ".sparkplug-sessions",
            source.sparkplug().rebirthInterval(), spec.limits().maxPayloadBytes());
        topology.addProcessor(decodeNode, SparkplugProcessor.supplier(settings,
            new SparkplugProcessor.Children(afterDecode, DEAD_LETTERS, ALERTS), registry, clock),
            in);
        sinkParents.get(ALERTS).add(decodeNode);
      } else {
        PayloadDecoder decoder = decoder(source, spec.limits().maxPayloadBytes());
        topology.addProcessor(decodeNode, () -> new DecodeProcessor(source.name(), decoder,
            afterDecode, DEAD_LETTERS, registry, clock), in);
      }
      sinkParents.get(DEAD_LETTERS).add(decodeNode);
      String parent = decodeNode;
      for (Stage stage : stages) {
        stage.add(topology, parent);
        parent = stage.name;
        if (stage.summaries != null) {
          summarySinks.put(stage.summaries, stage.name);
        }
        if (stage.deadLetters != null) {
          sinkParents.get(DEAD_LETTERS).add(stage.deadLetters);
        }
      }
      RoutingRules rules = rules(pipeline);
      RouteProcessor.Children children =
          new RouteProcessor.Children(RESULTS, FORWARD, REVIEW, ALERTS);
      String gateway = spec.metadata().name();
      String pipelineName = prefix;
      topology.addProcessor(route,
          () -> new RouteProcessor(pipelineName, gateway, rules, children, registry), parent);
      for (String sink : List.of(RESULTS, FORWARD, REVIEW, ALERTS)) {
        sinkParents.get(sink).add(route);
      }
    }
    if (spec.sources().isEmpty()) {
      return topology;
    }
    addSink(topology, RESULTS, topics.results(), resultOf(), sinkParents);
    addSink(topology, REVIEW, topics.review(), resultOf(), sinkParents);
    addSink(topology, FORWARD, topics.forward(), avro(AvroSerdes.forwardedRecord().serializer(),
        ForwardedRecord.class), sinkParents);
    addSink(topology, ALERTS, topics.alerts(), bytes(), sinkParents);
    addSink(topology, DEAD_LETTERS, topics.deadLetters(),
        avro(AvroSerdes.deadLetter().serializer(), DeadLetter.class), sinkParents);
    summarySinks.forEach((sink, parent) -> topology.addSink(sink, topics.summaries(),
        new StringSerializer(),
        avro(AvroSerdes.sensorWindowSummary().serializer(), SensorWindowSummary.class), parent));
    return topology;
  }

  private Topology cloud(TopologySpec spec) {
    Resolve resolve = spec.resolve().orElseThrow();
    Topics topics = spec.topics();
    Topology topology = new Topology();
    String dedupeStore = "cloud-seen-events";
    StoreBuilder<?> seen = Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(dedupeStore), Serdes.String(), Serdes.Long())
        .withLoggingEnabled(Map.of()).withCachingEnabled();
    topology.addSource("forwarded", new StringDeserializer(),
        AvroSerdes.forwardedRecord().deserializer(), resolve.from());
    topology.addProcessor("dedupe", new ProcessorSupplier<String, ForwardedRecord, String,
        PipelineRecord>() {
      @Override
      public DedupeProcessor get() {
        return new DedupeProcessor(dedupeStore, resolve.dedupeRetention(), registry);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(seen);
      }
    }, "forwarded");
    io.sluice.topology.spec.Model declared = spec.models().get(resolve.classify().model());
    if (declared.openai().isPresent()) {
      addResolve(topology, "resolve", "cloud-resolving",
          models.resolver(declared, resolve.classify(), baseDir), "verdict", "review", "dedupe");
      topology.addSink("review", topics.review(), new StringSerializer(), resultOf(), "resolve");
    } else {
      TextModel model = models.create(declared, resolve.classify(), baseDir);
      addInfer(topology, "resolve", "cloud", InferenceBatching.defaults(), model, true, false,
          "dedupe");
    }
    topology.addProcessor("verdict", () -> new VerdictProcessor("verdicts", "feedback",
        resolve.feedbackMinConfidence()), "resolve");
    topology.addSink("verdicts", topics.verdicts(), new StringSerializer(),
        avro(AvroSerdes.inferenceResult().serializer(), InferenceResult.class), "verdict");
    topology.addSink("feedback", resolve.feedbackTopic(), new StringSerializer(),
        avro(AvroSerdes.feedback().serializer(), Feedback.class), "verdict");
    return topology;
  }

  /** One step's operator, added to the topology under {@link #name}. */
  private static final class Stage {
    String name;
    final StepOperator operator;
    /** Set when the operator forwards to a fixed child name, which its successor must take. */
    final String forwardsTo;
    /** Set when the operator also writes window summaries from this node. */
    final String summaries;
    /** Set when a node of the operator sends records to the dead-letter sink. */
    String deadLetters;

    Stage(String name, StepOperator operator) {
      this.name = name;
      this.operator = operator;
      this.forwardsTo = operator.forwardsTo(name);
      this.summaries = operator.summariesFrom(name);
    }

    void add(Topology topology, String parent) {
      operator.addTo(topology, name, parent);
      deadLetters = operator.deadLettersFrom(name);
    }
  }

  private List<Stage> stages(TopologySpec spec, Pipeline pipeline) {
    List<Stage> stages = new ArrayList<>();
    for (int i = 0; i < pipeline.steps().size(); i++) {
      Step step = pipeline.steps().get(i);
      String name = pipeline.name() + "." + i + "." + step.kind();
      operator(kinds.of(step), step, new Context(spec, pipeline, i))
          .ifPresent(operator -> stages.add(new Stage(name, operator)));
    }
    return stages;
  }

  private static <S extends Step> Optional<StepOperator> operator(StepKind<S> kind, S step,
      StepContext context) {
    return kind.operator(step, context);
  }

  /** What the step kinds build with: this builder's registry, clock and models. */
  private final class Context implements StepContext {
    private final TopologySpec spec;
    private final Pipeline pipeline;
    /** The step's position in its pipeline, which names its state store. */
    private final int index;

    Context(TopologySpec spec, Pipeline pipeline, int index) {
      this.spec = spec;
      this.pipeline = pipeline;
      this.index = index;
    }

    @Override
    public TopologySpec spec() {
      return spec;
    }

    @Override
    public Pipeline pipeline() {
      return pipeline;
    }

    @Override
    public MeterRegistry registry() {
      return registry;
    }

    @Override
    public Clock clock() {
      return clock;
    }

    @Override
    public TextModels textModels() {
      return models;
    }

    @Override
    public EntityModels entityModels() {
      return entityModels;
    }

    @Override
    public Path baseDir() {
      return baseDir;
    }

    @Override
    public Decoders decoders() {
      return decoders;
    }

    @Override
    public String deadLetters() {
      return DEAD_LETTERS;
    }

    @Override
    public void addBatched(Topology topology, String name,
        java.util.function.Function<BatchingProcessor.Flush, ? extends BatchingProcessor> processor,
        String parent) {
      InferenceBatching batching = pipeline.inference();
      StoreBuilder<?> buffer = bufferStore(name.replace('.', '-') + "-buffer");
      BatchingProcessor.Flush flush = new BatchingProcessor.Flush(buffer.name(),
          batching.maxBatch(), batching.maxTokens(), batching.maxWait());
      topology.addProcessor(name, new ProcessorSupplier<String, PipelineRecord, String,
          Object>() {
        @Override
        public BatchingProcessor get() {
          return processor.apply(flush);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
          return Set.of(buffer);
        }
      }, parent);
    }

    @Override
    public void addInfer(Topology topology, String name, TextModel model, boolean novelty,
        String parent) {
      TopologyBuilder.this.addInfer(topology, name, pipeline.name(), pipeline.inference(), model,
          true, novelty, parent);
    }

    @Override
    public void addResolve(Topology topology, String name, Resolver resolver, String onward,
        String parent) {
      TopologyBuilder.this.addResolve(topology, name, "resolve-buffer-" + pipeline.name(),
          resolver, onward, null, parent);
    }

    @Override
    public void addModelExtract(Topology topology, String name, FieldExtractor extractor,
        String parent) {
      TopologyBuilder.this.addModelExtract(topology, name, pipeline.name() + "-" + index,
          pipeline.name(), pipeline.inference(), extractor, parent);
    }
  }

  private void addInfer(Topology topology, String name, String pipeline,
      InferenceBatching batching, TextModel model, boolean classify, boolean novelty,
      String parent) {
    String storeName = "infer-buffer-" + pipeline;
    StoreBuilder<?> buffer = bufferStore(storeName);
    InferSettings settings = new InferSettings(storeName, batching.maxBatch(),
        batching.maxTokens(), batching.maxWait(), classify, novelty);
    topology.addProcessor(name, new ProcessorSupplier<String, PipelineRecord, String,
        Object>() {
      @Override
      public InferProcessor get() {
        return new InferProcessor(pipeline, settings, model, registry);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(buffer);
      }
    }, parent);
  }

  /** The asynchronous resolve operator over a remote model, with its logged store. */
  private void addResolve(Topology topology, String name, String storeName, Resolver resolver,
      String onward, String review, String parent) {
    StoreBuilder<?> buffer = bufferStore(storeName);
    topology.addProcessor(name, new ProcessorSupplier<String, PipelineRecord, String,
        PipelineRecord>() {
      @Override
      public ResolveProcessor get() {
        return new ResolveProcessor(storeName, resolver, onward, review, Duration.ofMillis(20),
            registry);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(buffer);
      }
    }, parent);
  }

  /** A batched, crash-safe extract operator with its own logged buffer. */
  private void addModelExtract(Topology topology, String name, String storeSuffix,
      String pipeline, InferenceBatching batching, FieldExtractor extractor, String parent) {
    StoreBuilder<?> buffer = bufferStore("extract-buffer-" + storeSuffix);
    BatchingProcessor.Flush flush = new BatchingProcessor.Flush(buffer.name(),
        batching.maxBatch(), batching.maxTokens(), batching.maxWait());
    topology.addProcessor(name, new ProcessorSupplier<String, PipelineRecord, String,
        Object>() {
      @Override
      public ModelExtractProcessor get() {
        return new ModelExtractProcessor(pipeline, flush, extractor, registry);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(buffer);
      }
    }, parent);
  }

  private static StoreBuilder<?> bufferStore(String storeName) {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(storeName),
            Serdes.String(), AvroSerdes.pipelineRecord())
        .withLoggingEnabled(Map.of()).withCachingEnabled();
  }

  private static RoutingRules rules(Pipeline pipeline) {
    List<RouteRule> route = pipeline == null || pipeline.route().isEmpty()
        ? List.of(new RouteRule(null, "local", null, 0)) : pipeline.route();
    List<RuleSpec> specs = route.stream()
        .map(r -> new RuleSpec(r.when(), r.to(), r.reason())).toList();
    try {
      return RoutingRules.compile(specs);
    } catch (RoutingException e) {
      List<TopologyError> errors = new ArrayList<>();
      for (RuleError error : e.errors()) {
        errors.add(new TopologyError("", route.get(error.ruleIndex()).line(), error.column(),
            "pipelines." + pipeline.name() + ".route[" + error.ruleIndex() + "]." + error.field(),
            error.message(), error.hint()));
      }
      throw new TopologyException(errors);
    }
  }

  private static EventSchema schema(Source source) {
    return source.schema() == Source.Schema.TEXT_EVENT ? EventSchema.TEXT_EVENT
        : EventSchema.SENSOR_READING;
  }

  private static PayloadDecoder decoder(Source source, long maxBytes) {
    EventSchema schema = schema(source);
    return switch (source.format()) {
      case SPARKPLUG -> throw new IllegalArgumentException("Sparkplug sources have their own"
          + " operator");
      case JSON -> new JsonPayloadDecoder(schema, maxBytes);
      case CSV -> new CsvPayloadDecoder(schema, source.csv().columns(), source.csv().delimiter(),
          maxBytes);
      case AVRO -> new AvroPayloadDecoder(schema, maxBytes);
    };
  }

  private static void addSink(Topology topology, String name, String topic,
      Serializer<Object> serializer, Map<String, List<String>> parents) {
    List<String> from = parents.get(name);
    if (!from.isEmpty()) {
      topology.addSink(name, topic, new StringSerializer(), serializer,
          from.toArray(String[]::new));
    }
  }

  /** Writes the {@code InferenceResult} of a pipeline record. */
  static Serializer<Object> resultOf() {
    Serializer<InferenceResult> results = AvroSerdes.inferenceResult().serializer();
    return (topic, value) -> results.serialize(topic, ((PipelineRecord) value).getResult());
  }

  static <T> Serializer<Object> avro(Serializer<T> serializer, Class<T> type) {
    return (topic, value) -> serializer.serialize(topic, type.cast(value));
  }

  static Serializer<Object> bytes() {
    ByteArraySerializer serializer = new ByteArraySerializer();
    return (topic, value) -> serializer.serialize(topic, (byte[]) value);
  }

  static final String RESULTS = "results";
  static final String FORWARD = "forward";
  static final String REVIEW = "review";
  static final String ALERTS = "alerts";
  static final String DEAD_LETTERS = "dead-letters";
}
