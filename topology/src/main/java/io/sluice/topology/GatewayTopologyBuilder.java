package io.sluice.topology;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.operators.decode.DecodeProcessor;
import io.sluice.operators.decode.EventSchema;
import io.sluice.operators.decode.JsonPayloadDecoder;
import io.sluice.operators.decode.PayloadDecoder;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.DeadLetter;
import io.sluice.schemas.PipelineRecord;
import io.sluice.topology.spec.Source;
import io.sluice.topology.spec.Topics;
import io.sluice.topology.spec.TopologySpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;

/**
 * Turns a gateway topology spec into a Kafka Streams {@link Topology}: for each source, its input
 * topic, a decode operator, and sinks for results and dead letters.
 */
public final class GatewayTopologyBuilder {

  private final MeterRegistry registry;
  private final Clock clock;

  public GatewayTopologyBuilder(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
  }

  public Topology build(TopologySpec spec) {
    Topics topics = spec.topics();
    Topology topology = new Topology();
    List<String> resultParents = new ArrayList<>();
    List<String> deadLetterParents = new ArrayList<>();
    for (Source source : spec.sources()) {
      String in = "in-" + source.name();
      String decode = "decode-" + source.name();
      topology.addSource(in, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
          topics.input(source.name()));
      PayloadDecoder decoder = decoder(source, spec.limits().maxPayloadBytes());
      topology.addProcessor(decode,
          () -> new DecodeProcessor(source.name(), decoder, "results", "dead-letters", registry,
              clock), in);
      resultParents.add(decode);
      deadLetterParents.add(decode);
    }
    if (!resultParents.isEmpty()) {
      topology.addSink("results", topics.results(), new StringSerializer(), resultSerializer(),
          resultParents.toArray(String[]::new));
      topology.addSink("dead-letters", topics.deadLetters(), new StringSerializer(),
          deadLetterSerializer(), deadLetterParents.toArray(String[]::new));
    }
    return topology;
  }

  private static PayloadDecoder decoder(Source source, long maxBytes) {
    EventSchema schema = source.schema() == Source.Schema.TEXT_EVENT ? EventSchema.TEXT_EVENT
        : EventSchema.SENSOR_READING;
    return switch (source.format()) {
      case JSON -> new JsonPayloadDecoder(schema, maxBytes);
      default -> throw new TopologyException(List.of(new TopologyError("", 0, 0,
          "sources." + source.name() + ".format", "format " + source.format()
              + " is not supported yet", "use json")));
    };
  }

  /** Writes the {@code InferenceResult} of a pipeline record. */
  static Serializer<Object> resultSerializer() {
    Serializer<io.sluice.schemas.InferenceResult> results =
        AvroSerdes.inferenceResult().serializer();
    return (topic, value) -> results.serialize(topic, ((PipelineRecord) value).getResult());
  }

  static Serializer<Object> deadLetterSerializer() {
    Serializer<DeadLetter> letters = AvroSerdes.deadLetter().serializer();
    return (topic, value) -> letters.serialize(topic, (DeadLetter) value);
  }
}
