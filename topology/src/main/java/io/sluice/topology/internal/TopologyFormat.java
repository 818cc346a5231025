package io.sluice.topology.internal;

import static io.sluice.topology.internal.schema.Composites.listOf;
import static io.sluice.topology.internal.schema.Composites.map;
import static io.sluice.topology.internal.schema.Scalars.duration;
import static io.sluice.topology.internal.schema.Scalars.integer;
import static io.sluice.topology.internal.schema.Scalars.oneOf;
import static io.sluice.topology.internal.schema.Scalars.secret;
import static io.sluice.topology.internal.schema.Scalars.size;
import static io.sluice.topology.internal.schema.Scalars.string;

import io.sluice.topology.internal.schema.ObjectType;
import io.sluice.topology.internal.schema.Reader;
import io.sluice.topology.internal.schema.Type;
import io.sluice.topology.spec.Brokers;
import io.sluice.topology.spec.Limits;
import io.sluice.topology.spec.Metadata;
import io.sluice.topology.spec.Pipeline;
import io.sluice.topology.spec.Source;
import io.sluice.topology.spec.TopologySpec;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The topology file format, declared once. The loader reads YAML with these declarations, and the
 * editor JSON Schema and {@code docs/topology-reference.md} are generated from them.
 */
public final class TopologyFormat {

  static final String NAME = "[a-z][a-z0-9-]{0,62}";

  private TopologyFormat() {}

  static final Type<String> NAME_TYPE =
      string(NAME, "a name of lower-case letters, digits and '-', starting with a letter");

  static final ObjectType<Metadata> METADATA = ObjectType.builder("Metadata",
          "Who this topology is.")
      .required("name", NAME_TYPE, "Gateway or cloud name; also the Kafka Streams application id.")
      .optional("site", string("free text"), "", "\"\"", "Where it runs, free text.")
      .optional("namespace", string("[a-z][a-z0-9_-]{0,62}", "a topic prefix"), "sluice",
          "sluice", "Prefix of every Kafka topic the topology uses (<namespace>.in.<source>, "
              + "<namespace>.results, <namespace>.dlq, ...).")
      .build(v -> new Metadata(v.get("name"), v.get("site"), v.get("namespace")));

  static final ObjectType<Brokers.Mqtt> MQTT = ObjectType.builder("MqttBroker",
          "The MQTT broker devices publish to.")
      .optional("url", string("(embedded|(tcp|ssl)://[^\\s]+)",
              "'embedded' or a URL such as tcp://host:1883 or ssl://host:8883"),
          "embedded", "embedded", "'embedded' starts a broker inside the process (one-box runs);"
              + " otherwise the broker's URL.")
      .optional("clientId", string("[A-Za-z0-9_.-]{1,64}", "an MQTT client id"), null,
          "sluice-<name>", "Stable client id; the broker keeps the gateway's session and "
              + "unacknowledged messages under it.")
      .optional("username", string("a user name"), null, null, "User name, if the broker needs one.")
      .optional("password", secret(), null, null,
          "Password; write ${ENV_VAR} so it stays out of the file. Never logged.")
      .optional("receiveMaximum", integer(1, 65_535), 1_000, "1000",
          "Most QoS 1 messages the broker may have in flight to the gateway unacknowledged.")
      .optional("sessionExpiry", duration(), Duration.ofDays(1), "1d",
          "How long the broker keeps the session while the gateway is away.")
      .build(v -> new Brokers.Mqtt(v.get("url"), v.get("clientId"),
          Optional.ofNullable(v.get("username")), Optional.ofNullable(v.get("password")),
          v.get("receiveMaximum"), v.get("sessionExpiry")));

  static final ObjectType<Brokers.Kafka> KAFKA = ObjectType.builder("KafkaBroker",
          "The Kafka cluster the topology runs on.")
      .optional("bootstrap", string("(embedded|[^\\s,]+:\\d+(,[^\\s,]+:\\d+)*)",
              "'embedded' or host:port[,host:port...]"), "embedded", "embedded",
          "'embedded' starts a single-node broker inside the process; otherwise bootstrap servers.")
      .optional("partitions", integer(1, 1_000), 3, "3",
          "Partitions of the topics the topology creates; more lets more instances share work.")
      .optional("commitInterval", duration(), Duration.ofMillis(100), "100ms",
          "How often Kafka Streams commits its exactly-once transaction; results become visible"
              + " to read-committed consumers at each commit.")
      .build(v -> new Brokers.Kafka(v.get("bootstrap"), v.get("partitions"),
          v.get("commitInterval")));

  static final ObjectType<Brokers> BROKERS = ObjectType.builder("Brokers",
          "Where messages come from and where the topology runs.")
      .optional("mqtt", MQTT, null, "{url: embedded}", "The MQTT broker.")
      .optional("kafka", KAFKA, null, "{bootstrap: embedded}", "The Kafka cluster.")
      .build(v -> new Brokers(v.get("mqtt"), v.get("kafka")));

  record MqttSource(String topic, int qos, int deviceIdLevel) {}

  static final ObjectType<MqttSource> SOURCE_MQTT = ObjectType.builder("SourceMqtt",
          "The MQTT subscription of a source.")
      .required("topic", string("[^\\s]+", "an MQTT topic filter such as plant/+/notes"),
          "Topic filter; '+' matches one level, '#' the rest; $share/<group>/<filter> splits the"
              + " messages between gateway instances.")
      .optional("qos", integer(0, 2), 1, "1", "QoS of the subscription; 1 loses nothing.")
      .optional("deviceIdLevel", integer(0, 32), -1, "first '+' level",
          "Which topic level (0-based) names the device; the device id is the Kafka key.")
      .build(v -> new MqttSource(v.get("topic"), v.get("qos"), v.get("deviceIdLevel")));

  static final ObjectType<Source> SOURCE = ObjectType.builder("Source",
          "A stream of device messages, ingested into <namespace>.in.<name>.")
      .required("name", NAME_TYPE, "Unique name of the source.")
      .required("mqtt", SOURCE_MQTT, "Where the messages come from.")
      .optional("format", oneOf("json", "csv", "avro"), "json", "json",
          "Payload encoding: JSON object, one CSV line, or Avro single-object encoding.")
      .required("schema", oneOf("TextEvent", "SensorReading"), "What a payload holds.")
      .build(v -> {
        MqttSource m = v.get("mqtt");
        return new Source(v.get("name"), m.topic(), m.qos(), m.deviceIdLevel(),
            Source.Format.valueOf(((String) v.get("format")).toUpperCase()),
            v.<String>get("schema").equals("TextEvent") ? Source.Schema.TEXT_EVENT
                : Source.Schema.SENSOR_READING);
      });

  static final ObjectType<Pipeline> PIPELINE = ObjectType.builder("Pipeline",
          "The steps the records of one source go through, then where they go.")
      .required("name", NAME_TYPE, "Unique name of the pipeline.")
      .required("from", NAME_TYPE, "The source it reads.")
      .build(v -> new Pipeline(v.get("name"), v.get("from")));

  static final ObjectType<Limits> LIMITS = ObjectType.builder("Limits", "Guards against bad input.")
      .optional("maxPayloadBytes", size(), 64L * 1024, "64KiB",
          "Larger payloads go to the dead-letter topic as OVERSIZED.")
      .build(v -> new Limits(v.get("maxPayloadBytes")));

  /** The root of a topology file; {@code file} is filled in by the loader. */
  public static ObjectType<TopologySpec> topology(String file) {
    return ObjectType.builder("Topology", "A Sluice topology file.")
        .required("apiVersion", oneOf("sluice/v1"), "Format version.")
        .required("kind", oneOf("Gateway", "Cloud"),
            "Gateway runs at the edge; Cloud resolves what gateways forward.")
        .required("metadata", METADATA, "Who this topology is.")
        .optional("brokers", BROKERS, null, "embedded MQTT and Kafka", "Brokers.")
        .optional("sources", listOf(SOURCE, 0), List.of(), "[]", "Device message streams.")
        .optional("pipelines", listOf(PIPELINE, 0), List.of(), "[]",
            "What happens to each source's records. A source without a pipeline passes through"
                + " to <namespace>.results after decoding.")
        .optional("limits", LIMITS, null, "{maxPayloadBytes: 64KiB}", "Input guards.")
        .check(TopologyFormat::checkReferences)
        .build(v -> {
          Metadata metadata = v.get("metadata");
          Brokers given = v.get("brokers");
          Brokers brokers = withDefaults(given, metadata);
          Limits limits = v.get("limits") == null ? new Limits(64L * 1024) : v.get("limits");
          return new TopologySpec(file, v.get("apiVersion"),
              v.<String>get("kind").equals("Gateway") ? TopologySpec.Kind.GATEWAY
                  : TopologySpec.Kind.CLOUD,
              metadata, brokers, v.get("sources"), v.get("pipelines"), limits);
        });
  }

  private static Brokers withDefaults(Brokers given, Metadata metadata) {
    Brokers.Mqtt mqtt = given == null || given.mqtt() == null
        ? new Brokers.Mqtt("embedded", null, Optional.empty(), Optional.empty(), 1_000,
            Duration.ofDays(1))
        : given.mqtt();
    if (mqtt.clientId() == null) {
      mqtt = new Brokers.Mqtt(mqtt.url(), "sluice-" + metadata.name(), mqtt.username(),
          mqtt.password(), mqtt.receiveMaximum(), mqtt.sessionExpiry());
    }
    Brokers.Kafka kafka = given == null || given.kafka() == null
        ? new Brokers.Kafka("embedded", 3, Duration.ofMillis(100)) : given.kafka();
    return new Brokers(mqtt, kafka);
  }

  private static void checkReferences(ObjectType.Values v, Reader reader) {
    List<Source> sources = v.get("sources");
    List<Pipeline> pipelines = v.get("pipelines");
    Set<String> names = new HashSet<>();
    reader.enterField("sources");
    for (int i = 0; i < sources.size(); i++) {
      if (!names.add(sources.get(i).name())) {
        reader.enterIndex(i);
        reader.error(v.node("sources"), "source name '" + sources.get(i).name()
            + "' is used twice", "give each source its own name");
        reader.leave();
      }
    }
    reader.leave();
    Set<String> pipelineNames = new HashSet<>();
    Set<String> fed = new HashSet<>();
    reader.enterField("pipelines");
    for (int i = 0; i < pipelines.size(); i++) {
      Pipeline p = pipelines.get(i);
      reader.enterIndex(i);
      if (!pipelineNames.add(p.name())) {
        reader.error(v.node("pipelines"), "pipeline name '" + p.name() + "' is used twice",
            "give each pipeline its own name");
      }
      if (!names.contains(p.from())) {
        String near = io.sluice.topology.internal.schema.Suggest.closest(p.from(), names);
        reader.error(v.node("pipelines"), "pipeline '" + p.name() + "' reads from '" + p.from()
            + "', which is not a source", near != null ? "did you mean '" + near + "'?"
                : "declared sources: " + names);
      } else if (!fed.add(p.from())) {
        reader.error(v.node("pipelines"), "source '" + p.from()
            + "' feeds two pipelines", "one pipeline per source");
      }
      reader.leave();
    }
    reader.leave();
  }
}
