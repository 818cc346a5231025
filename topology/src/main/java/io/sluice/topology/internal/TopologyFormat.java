package io.sluice.topology.internal;

import static io.sluice.topology.internal.FormatTypes.NAME;
import static io.sluice.topology.internal.FormatTypes.NAME_TYPE;
import static io.sluice.topology.internal.FormatTypes.line;
import static io.sluice.topology.internal.schema.Composites.listOf;
import static io.sluice.topology.internal.schema.Scalars.bool;
import static io.sluice.topology.internal.schema.Composites.map;
import static io.sluice.topology.internal.schema.Scalars.duration;
import static io.sluice.topology.internal.schema.Scalars.integer;
import static io.sluice.topology.internal.schema.Scalars.oneOf;
import static io.sluice.topology.internal.schema.Scalars.secret;
import static io.sluice.topology.internal.schema.Scalars.size;
import static io.sluice.topology.internal.schema.Scalars.string;

import static io.sluice.topology.internal.schema.Scalars.number;

import io.sluice.inference.BundleException;
import io.sluice.inference.BundleKeys;
import io.sluice.operators.Suggestions;
import io.sluice.operators.route.RoutingException;
import io.sluice.operators.route.RoutingRules;
import io.sluice.operators.route.RuleError;
import io.sluice.operators.route.RuleSpec;
import io.sluice.topology.internal.schema.Composites;
import io.sluice.topology.internal.schema.ObjectType;
import io.sluice.topology.internal.schema.Reader;
import io.sluice.topology.internal.schema.Type;
import io.sluice.topology.internal.schema.Scalars;
import io.sluice.topology.spec.Brokers;
import io.sluice.topology.spec.CloudLink;
import io.sluice.topology.spec.InferenceBatching;
import io.sluice.topology.spec.Limits;
import io.sluice.topology.spec.Metadata;
import io.sluice.topology.spec.Model;
import io.sluice.topology.spec.Pipeline;
import io.sluice.topology.spec.OpenAiModel;
import io.sluice.topology.spec.Resolve;
import io.sluice.topology.spec.RouteRule;
import io.sluice.topology.spec.Source;
import io.sluice.topology.spec.Step;
import io.sluice.topology.spec.Topics;
import io.sluice.topology.spec.TopologySpec;
import io.sluice.topology.step.StepKind;
import io.sluice.topology.step.StepKinds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The topology file format, declared once. The loader reads YAML with these declarations, and the
 * editor JSON Schema and {@code docs/topology-reference.md} are generated from them.
 */
public final class TopologyFormat {

  private TopologyFormat() {}

  static final ObjectType<Metadata> METADATA = ObjectType.builder("Metadata",
          "Who this topology is.")
      .required("name", NAME_TYPE, "Gateway or cloud name; also the Kafka Streams application id.")
      .optional("site", string("free text"), "", "\"\"", "Where it runs, free text.")
      .optional("namespace", string("[a-z][a-z0-9_-]{0,62}", "a topic prefix"), "sluice",
          "sluice", "Prefix of every Kafka topic the topology uses (<namespace>.in.<source>, "
              + "<namespace>.results, <namespace>.dlq, ...).")
      .build(v -> new Metadata(v.get("name"), v.get("site"), v.get("namespace")));

  static final ObjectType<Brokers.Tls> TLS = ObjectType.builder("MqttTls",
          "TLS for an ssl:// MQTT broker: which CAs to trust and, if the broker asks, this"
              + " gateway's client certificate.")
      .optional("trustStore", string("a file path"), null, "JDK default",
          "CA certificates: a PKCS#12/JKS store (.p12, .pfx, .jks) or a PEM file.")
      .optional("trustStorePassword", secret(), null, null,
          "Password of a PKCS#12/JKS trust store.")
      .optional("keyStore", string("a file path"), null, null,
          "Client certificate: a PKCS#12/JKS store holding the key, or a PEM certificate chain"
              + " (then keyFile).")
      .optional("keyStorePassword", secret(), null, null, "Password of a PKCS#12/JKS key store.")
      .optional("keyFile", string("a file path"), null, null,
          "Unencrypted PKCS#8 PEM private key that goes with a PEM keyStore.")
      .optional("verifyHostname", Scalars.bool(), true, "true",
          "Check that the broker's certificate names its host; leave on outside tests.")
      .build(v -> new Brokers.Tls(Optional.ofNullable(v.get("trustStore")),
          Optional.ofNullable(v.get("trustStorePassword")),
          Optional.ofNullable(v.get("keyStore")), Optional.ofNullable(v.get("keyStorePassword")),
          Optional.ofNullable(v.get("keyFile")), v.get("verifyHostname")));

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
      .optional("receiveMaximum", integer(1, 65_535), Brokers.Mqtt.DEFAULT_RECEIVE_MAXIMUM,
          Integer.toString(Brokers.Mqtt.DEFAULT_RECEIVE_MAXIMUM),
          "Most QoS 1 messages the broker may have in flight to the gateway unacknowledged.")
      .optional("sessionExpiry", duration(), Brokers.Mqtt.DEFAULT_SESSION_EXPIRY, "1d",
          "How long the broker keeps the session while the gateway is away.")
      .optional("tls", TLS, null, "none", "Certificates, for ssl:// URLs.")
      .check((v, reader) -> {
        if (v.get("tls") != null && !v.<String>get("url").startsWith("ssl://")) {
          reader.error(v.node("tls"), "tls is set but the url is not ssl://",
              "use url: ssl://host:8883");
        }
      })
      .build(v -> new Brokers.Mqtt(v.get("url"), v.get("clientId"),
          Optional.ofNullable(v.<String>get("username")).filter(u -> !u.isEmpty()),
          Optional.ofNullable(v.<String>get("password")).filter(p -> !p.isEmpty()),
          v.get("receiveMaximum"), v.get("sessionExpiry"),
          v.get("tls") == null ? Brokers.Tls.none() : v.get("tls")));

  static final ObjectType<Brokers.Kafka> KAFKA = ObjectType.builder("KafkaBroker",
          "The Kafka cluster the topology runs on.")
      .optional("bootstrap", string("(embedded|[^\\s,]+:\\d+(,[^\\s,]+:\\d+)*)",
              "'embedded' or host:port[,host:port...]"), "embedded", "embedded",
          "'embedded' starts a single-node broker inside the process; otherwise bootstrap servers.")
      .optional("partitions", integer(1, 1_000), 3, "3",
          "Partitions of the topics the topology creates; more lets more instances share work.")
      .optional("commitInterval", duration(), Brokers.Kafka.DEFAULT_COMMIT_INTERVAL, "20ms",
          "How often Kafka Streams commits its exactly-once transaction; results become visible"
              + " to read-committed consumers at each commit, so it sets most of the end-to-end"
              + " latency (docs/BENCHMARKS.md, End-to-end pipeline). Longer means fewer, larger"
              + " transactions.")
      .optional("streamThreads", integer(1, 16), Brokers.Kafka.DEFAULT_STREAM_THREADS, "2",
          "Kafka Streams threads. Each source partition is a task, and tasks are shared among the"
              + " threads, so while one thread waits for a model call another keeps sensor"
              + " readings and other partitions moving. More threads than partitions idle.")
      .build(v -> new Brokers.Kafka(v.get("bootstrap"), v.get("partitions"),
          v.get("commitInterval"), v.get("streamThreads")));

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

  static final ObjectType<Source.Csv> CSV = ObjectType.builder("SourceCsv",
          "How a CSV line is laid out.")
      .required("columns", listOf(string("[A-Za-z_][A-Za-z0-9_]*", "a column name"), 1),
          "Column names in order; the record's fields (text, metric, value, deviceId, eventId,"
              + " timestamp, restricted), other columns become attributes.")
      .optional("delimiter", string(".", "one character"), ",", ",", "Column separator.")
      .build(v -> new Source.Csv(v.get("columns"), v.<String>get("delimiter").charAt(0)));

  static final ObjectType<Source.Sparkplug> SPARKPLUG = ObjectType.builder("SourceSparkplug",
          "The gateway as a Sparkplug B 3.0 host application (docs/sources.md).")
      .optional("hostId", string("[^\\s/+#]+", "a Sparkplug host id (no /, + or #)"), null,
          "none", "Primary host id. When set, the gateway publishes its retained STATE on"
              + " spBv1.0/STATE/<hostId> (online on connect, offline as its will), so edge"
              + " nodes configured with this primary host send their births to it and store"
              + " and forward while it is away.")
      .optional("rebirthInterval", duration(), Source.Sparkplug.DEFAULT_REBIRTH_INTERVAL, "30s",
          "Least time between two rebirth requests (NCMD Node Control/Rebirth) to one edge"
              + " node, sent after a sequence gap, data from a node with no birth, or an"
              + " unknown alias.")
      .build(v -> new Source.Sparkplug(Optional.ofNullable(v.<String>get("hostId")),
          v.get("rebirthInterval")));

  static final ObjectType<Source.OpcUaNode> OPCUA_NODE = ObjectType.builder("OpcUaNode",
          "One OPC UA node to monitor: give node or browsePath.")
      .optional("node", string("(ns=\\d+;)?[isgb]=.+", "a node id such as ns=2;s=Press4.Temperature"),
          null, null, "Node id, in the string form of OPC UA Part 6 (ns=<index>;s=|i=|g=|b=...).")
      .optional("browsePath", string("[^\\s].*", "a path such as Objects/Press4/Temperature"),
          null, null, "Browse names from the Objects folder, separated by '/' (a browse name"
              + " in another namespace is written <index>:<name>).")
      .optional("device", string("[^\\s]+", "a device id"), null, "the parent object's name",
          "Device id of the readings.")
      .optional("metric", string("[^\\s]+", "a metric name"), null, "the node's browse name",
          "Metric name of the readings.")
      .check((v, reader) -> {
        if (v.present("node") == v.present("browsePath")) {
          reader.error(v.node(), "a node needs exactly one of node and browsePath",
              "write {node: \"ns=2;s=Press4.Temperature\"} or"
                  + " {browsePath: Objects/Press4/Temperature}");
        }
      })
      .build(v -> new Source.OpcUaNode(v.get("node"), v.get("browsePath"), v.get("device"),
          v.get("metric")));

  static final ObjectType<Source.OpcUa> OPCUA = ObjectType.builder("SourceOpcUa",
          "An OPC UA client subscription; each value change becomes a SensorReading"
              + " (docs/sources.md).")
      .required("endpoint", string("opc\\.tcp://[^\\s]+", "opc.tcp://host:port[/path]"),
          "Endpoint URL of the server.")
      .optional("securityPolicy", oneOf("None", "Basic256Sha256"), "None", "None",
          "Security policy of the endpoint to use; Basic256Sha256 needs certificate.")
      .optional("securityMode", oneOf("None", "Sign", "SignAndEncrypt"), null,
          "None, or SignAndEncrypt with a secure policy", "Message security mode.")
      .optional("username", string("a user name"), null, null,
          "User name; anonymous when absent.")
      .optional("password", secret(), null, null,
          "Password; write ${ENV_VAR} so it stays out of the file. Never logged.")
      .optional("certificate", string("[^\\s].*", "a file path"), null, null,
          "PKCS#12 file holding the client's certificate and private key (relative to the"
              + " topology file); needed for Basic256Sha256.")
      .optional("certificatePassword", secret(), null, null, "Password of the PKCS#12 file.")
      .optional("trustDir", string("[^\\s].*", "a directory"), "opcua-pki", "opcua-pki",
          "Server certificates: trusted/certs holds the trusted ones; an unknown one is"
              + " refused and written to rejected/, from where moving it to trusted/certs"
              + " trusts it (relative to the topology file).")
      .required("nodes", listOf(OPCUA_NODE, 1), "Nodes to monitor, one monitored item each.")
      .optional("samplingInterval", duration(), Duration.ofMillis(100), "100ms",
          "How often the server samples each node.")
      .optional("queueSize", integer(1, 10_000), 10, "10",
          "Values the server keeps per node between two publishes.")
      .optional("deadband", number(0, 1e12), 0.0, "0",
          "Absolute deadband: changes smaller than this are not reported.")
      .optional("badStatus", oneOf("dlq", "flag"), "dlq", "dlq",
          "A value with a Bad status goes to the dead-letter topic (dlq) or on with attribute"
              + " opcua.status (flag). Uncertain values always go on, flagged.")
      .optional("bufferSize", integer(1, 1_000_000), 10_000, "10000",
          "Values held while Kafka is slow; when full the subscription stops publishing until"
              + " half of it has drained, so memory stays bounded and the server keeps its"
              + " queue.")
      .check((v, reader) -> {
        boolean secure = !"None".equals(v.get("securityPolicy"));
        if (secure && v.get("certificate") == null) {
          reader.error(v.node("securityPolicy"), "securityPolicy " + v.get("securityPolicy")
              + " needs the client's certificate", "add certificate: client.p12");
        }
        if (!secure && v.get("securityMode") != null && !"None".equals(v.get("securityMode"))) {
          reader.error(v.node("securityMode"), "securityMode " + v.get("securityMode")
              + " needs a secure policy", "set securityPolicy: Basic256Sha256");
        }
        if (secure && "None".equals(v.get("securityMode"))) {
          reader.error(v.node("securityMode"), "securityPolicy " + v.get("securityPolicy")
              + " needs securityMode Sign or SignAndEncrypt", "set securityMode: SignAndEncrypt");
        }
      })
      .build(v -> {
        boolean secure = !"None".equals(v.get("securityPolicy"));
        String mode = v.get("securityMode") != null ? v.get("securityMode")
            : secure ? "SignAndEncrypt" : "None";
        return new Source.OpcUa(v.get("endpoint"), v.get("securityPolicy"), mode,
            Optional.ofNullable(v.<String>get("username")).filter(u -> !u.isEmpty()),
            Optional.ofNullable(v.<String>get("password")).filter(p -> !p.isEmpty()),
            Optional.ofNullable(v.<String>get("certificate")),
            Optional.ofNullable(v.<String>get("certificatePassword")),
            v.get("trustDir"), v.get("nodes"), v.get("samplingInterval"), v.get("queueSize"),
            v.<Double>get("deadband"),
            Source.BadStatus.valueOf(v.<String>get("badStatus").toUpperCase()),
            v.get("bufferSize"));
      });

  static final ObjectType<Source> SOURCE = ObjectType.builder("Source",
          "A stream of device messages, ingested into <namespace>.in.<name>: an MQTT"
              + " subscription (mqtt) or an OPC UA subscription (opcua).")
      .required("name", NAME_TYPE, "Unique name of the source.")
      .optional("mqtt", SOURCE_MQTT, null, null,
          "Where the messages come from, over MQTT (give mqtt or opcua).")
      .optional("opcua", OPCUA, null, null,
          "Where the values come from, over OPC UA (give mqtt or opcua).")
      .optional("format", oneOf("json", "csv", "avro", "sparkplug"), "json", "json",
          "Payload encoding: JSON object, one CSV line, Avro single-object encoding, or"
              + " Sparkplug B (the gateway is then a Sparkplug host application).")
      .required("schema", oneOf("TextEvent", "SensorReading"), "What a payload holds; with"
          + " sparkplug, SensorReading takes numeric and boolean metrics, TextEvent String and"
          + " Text metrics.")
      .optional("csv", CSV, null, null, "Column layout, required with format: csv.")
      .optional("sparkplug", SPARKPLUG, null, "defaults", "Sparkplug host settings, with format:"
          + " sparkplug.")
      .check((v, reader) -> {
        if (v.present("mqtt") == v.present("opcua")) {
          reader.error(v.node(), "a source needs exactly one of mqtt and opcua",
              "write mqtt: {topic: plant/+/notes} or opcua: {endpoint: opc.tcp://host:4840,"
                  + " nodes: [...]}");
        }
        boolean csv = "csv".equals(v.get("format"));
        if (csv && v.get("csv") == null) {
          reader.error(v.node("format"), "format csv needs the column layout",
              "add csv: {columns: [deviceId, metric, value, timestamp]}");
        } else if (!csv && v.get("csv") != null) {
          reader.error(v.node("csv"), "csv is set but format is " + v.get("format"),
              "set format: csv or remove csv");
        }
        if (v.get("sparkplug") != null && !"sparkplug".equals(v.get("format"))) {
          reader.error(v.node("sparkplug"), "sparkplug is set but format is " + v.get("format"),
              "set format: sparkplug or remove sparkplug");
        }
        if (v.present("opcua") && v.present("format")) {
          reader.error(v.node("format"), "an opcua source makes its readings itself and takes"
              + " no format", "remove format");
        }
        if (v.present("opcua") && "TextEvent".equals(v.get("schema"))) {
          reader.error(v.node("schema"), "an opcua source makes SensorReadings",
              "set schema: SensorReading");
        }
      })
      .build(v -> {
        Source.Schema schema = v.<String>get("schema").equals("TextEvent")
            ? Source.Schema.TEXT_EVENT : Source.Schema.SENSOR_READING;
        Source.Format format = Source.Format.valueOf(((String) v.get("format")).toUpperCase());
        if (v.get("opcua") != null) {
          return new Source(v.get("name"), null, 1, -1, Source.Format.JSON, schema, null, null,
              v.get("opcua"));
        }
        MqttSource m = v.get("mqtt");
        if (m == null) {
          return new Source(v.get("name"), "", 1, -1, format, schema, v.get("csv"));
        }
        Source.Sparkplug sparkplug = format != Source.Format.SPARKPLUG ? null
            : v.get("sparkplug") != null ? v.get("sparkplug") : Source.Sparkplug.DEFAULT;
        return new Source(v.get("name"), m.topic(), m.qos(), m.deviceIdLevel(), format, schema,
            v.get("csv"), sparkplug, null);
      });

  static final ObjectType<Model.Rollout> ROLLOUT = ObjectType.builder("Rollout",
          "The bounds a new version of a model must keep while it shadows the serving one on"
              + " live traffic (POST /models/{name} starts a rollout); crossing one rolls it back"
              + " by itself.")
      .optional("shadowRecords", integer(1, 10_000_000), Model.Rollout.DEFAULT.shadowRecords(),
          "500", "Live records the candidate sees beside the serving model before the decision.")
      .optional("maxLatencyRatio", number(0.01, 1000), Model.Rollout.DEFAULT.maxLatencyRatio(),
          "1.5", "The candidate's p95 time per batch may be at most this multiple of the serving"
              + " model's, measured on the same batches.")
      .optional("maxErrorRate", number(0, 1), Model.Rollout.DEFAULT.maxErrorRate(), "0.01",
          "Share of shadow batches the candidate may fail.")
      .optional("minAgreement", number(0, 1), Model.Rollout.DEFAULT.minAgreement(), "0.8",
          "Share of records on which both models must give the same label.")
      .optional("maxConfidenceDrift", number(0, 1), Model.Rollout.DEFAULT.maxConfidenceDrift(),
          "0.15", "Largest allowed difference between the two models' mean confidence.")
      .build(v -> new Model.Rollout(v.get("shadowRecords"), v.get("maxLatencyRatio"),
          v.get("maxErrorRate"), v.get("minAgreement"), v.get("maxConfidenceDrift")));

  static final ObjectType<Model> MODEL = ObjectType.builder("Model",
          "A model the steps can use, loaded once and shared. A folder bundle must be signed by"
              + " a trusted key (see docs/operations.md); bundles in the jar are trusted as"
              + " shipped.")
      .optional("kind", oneOf("onnx", "openai"), "onnx", "onnx",
          "onnx: a local ONNX bundle (bundle: ...); openai: a model behind an OpenAI-compatible"
              + " API (baseUrl, model, apiKey, ...), for classify steps and a Cloud topology's"
              + " resolve (see docs/resolver.md).")
      .optional("bundle", string("(classpath:[a-z0-9.-]+|[^\\s]+)",
              "classpath:<bundle name> or a folder path"), null, null,
          "kind onnx (required): where the model bundle is: classpath:all-minilm-l6-v2-q (the default encoder, in the"
              + " jar), classpath:bge-small-en-v1.5-q, classpath:e5-small-v2-q, or a folder with"
              + " model.onnx, tokenizer.json and a manifest, relative to this file.")
      .optional("threads", integer(1, 64), 2, "2", "ONNX Runtime intra-op threads.")
      .optional("digest", string("sha256:[0-9a-f]{64}", "sha256: and 64 lower-case hex digits"),
          null, null, "Pins the bundle: its digest (sluice model inspect prints it) must be this;"
              + " it covers the manifest and every file's SHA-256.")
      .optional("trustedKeys", listOf(string("a PEM file path or an inline PEM public key"), 0),
          List.of(), "[]", "Ed25519 public keys (PEM files relative to this file, or inline"
              + " PEM); a folder bundle must be signed by one of them.")
      .optional("allowUnsigned", bool(), false, "false",
          "Development only: accept a folder bundle that is not signed. A signature that does"
              + " not verify is refused even so.")
      .optional("rollout", ROLLOUT, null, "each field's default",
          "Bounds for rolling out a new version of this model.")
      .optional("file", string("[A-Za-z0-9_.-]+\\.onnx", "an ONNX file name"), null,
          "model.onnx", "Decoders (generate steps) in an export folder: the ONNX file to run,"
              + " beside config.json or in onnx/; model_quantized.onnx for int8. A bundle with"
              + " bundle.json names its own.")
      .optional("baseUrl", string("https?://[^\\s]+", "an http(s) URL"), null, null,
          "kind openai (required): the API root, ending in /v1, e.g. https://api.openai.com/v1"
              + " or http://localhost:8000/v1 (sluice serve, vLLM, Ollama, llama.cpp).")
      .optional("model", string("[^\\s]+", "a model id"), null, null,
          "kind openai (required): the model id the server knows, e.g. gpt-4o-mini.")
      .optional("apiKey", secret(), null, null,
          "kind openai: the bearer token, written as ${ENV_VAR}; never logged.")
      .optional("maxConcurrency", integer(1, 1024), 8, "8",
          "kind openai: requests in flight at once, across every stream thread.")
      .optional("timeout", duration(), Duration.ofSeconds(30), "30s",
          "kind openai: how long one request may take before it counts as failed and is retried.")
      .optional("requestsPerMinute", integer(0, 10_000_000), 0, "0 (no limit)",
          "kind openai: the most requests started in any minute.")
      .optional("tokensPerMinute", integer(0, 1_000_000_000), 0, "0 (no limit)",
          "kind openai: the most tokens (prompt and completion) spent in any minute.")
      .optional("dailyTokenBudget", size(), 0L, "0 (no budget)",
          "kind openai: tokens the resolver may spend per UTC day; once spent, records go to"
              + " review and /health says DEGRADED until the day turns.")
      .optional("pricePer1kPromptTokens", number(0, 1_000), 0.0, "0",
          "kind openai: price of 1,000 prompt tokens, for the estimated-cost meter.")
      .optional("pricePer1kCompletionTokens", number(0, 1_000), 0.0, "0",
          "kind openai: price of 1,000 completion tokens, for the estimated-cost meter.")
      .optional("maxRetries", integer(0, 100), 4, "4",
          "kind openai: retries of a request that failed for a transient reason (429, 5xx,"
              + " timeout, connection), with exponential backoff and jitter, honouring"
              + " Retry-After; then the record goes to review.")
      .optional("promptExamples", integer(0, 100), 3, "3",
          "kind openai: examples per label written into the prompt.")
      .optional("logprobs", bool(), false, "false",
          "kind openai: ask for token log-probabilities and take each verdict's confidence from"
              + " them (OpenAI and vLLM give them); a server that refuses is asked without.")
      .optional("assumedConfidence", number(0, 1), 0.9, "0.9",
          "kind openai: the confidence of a verdict that comes without log-probabilities.")
      .check(TopologyFormat::checkModelKind)
      .check(TopologyFormat::checkModelTrust)
      .check((v, reader) -> {
        String bundle = v.get("bundle");
        if (bundle != null && bundle.startsWith("classpath:")) {
          String name = bundle.substring("classpath:".length());
          // Bundles shipped in the jar: their manifests live under sluice/bundles/<name>/.
          if (TopologyFormat.class.getClassLoader()
              .getResource("sluice/bundles/" + name + "/bundle.json") == null) {
            reader.error(v.node("bundle"), "no model bundle '" + name + "' ships with Sluice",
                "bundled: classpath:all-minilm-l6-v2-q, classpath:bge-small-en-v1.5-q,"
                    + " classpath:e5-small-v2-q; or give a folder path");
          }
        }
      })
      .build(v -> "openai".equals(v.get("kind")) ? Model.openAi(null, openAiOf(v))
          : new Model(null, v.get("bundle"), v.get("threads"),
          Optional.ofNullable(v.get("digest")), v.get("trustedKeys"), v.get("allowUnsigned"),
          v.get("rollout") == null ? Model.Rollout.DEFAULT : v.get("rollout"),
          Optional.ofNullable(v.get("file"))));

  private static final List<String> OPENAI_FIELDS = List.of("baseUrl", "model", "apiKey",
      "maxConcurrency", "timeout", "requestsPerMinute", "tokensPerMinute", "dailyTokenBudget",
      "pricePer1kPromptTokens", "pricePer1kCompletionTokens", "maxRetries", "promptExamples",
      "logprobs", "assumedConfidence");
  private static final List<String> ONNX_FIELDS = List.of("bundle", "threads", "digest",
      "trustedKeys", "allowUnsigned", "rollout", "file");

  /** Each kind's required fields are there, and no field of the other kind is. */
  private static void checkModelKind(ObjectType.Values v, Reader reader) {
    boolean openai = "openai".equals(v.get("kind"));
    if (openai) {
      for (String required : List.of("baseUrl", "model")) {
        if (v.get(required) == null) {
          reader.error(v.node(), "a model of kind openai needs " + required,
              "add " + required + ": ... (see docs/resolver.md)");
        }
      }
    } else if (v.get("bundle") == null) {
      reader.error(v.node(), "missing required field 'bundle' in Model",
          "add bundle: classpath:all-minilm-l6-v2-q, a folder path, or kind: openai");
    }
    for (String field : openai ? ONNX_FIELDS : OPENAI_FIELDS) {
      if (v.present(field)) {
        reader.error(v.node(field), "field '" + field + "' belongs to models of kind "
            + (openai ? "onnx" : "openai"), openai ? "remove it" : "set kind: openai, or remove it");
      }
    }
  }

  private static OpenAiModel openAiOf(ObjectType.Values v) {
    String key = v.get("apiKey");
    return new OpenAiModel(java.net.URI.create(v.<String>get("baseUrl")), v.get("model"),
        Optional.ofNullable(key).filter(k -> !k.isBlank()), v.get("maxConcurrency"),
        v.get("timeout"), v.get("requestsPerMinute"), v.get("tokensPerMinute"),
        v.get("dailyTokenBudget"), v.get("pricePer1kPromptTokens"),
        v.get("pricePer1kCompletionTokens"), v.get("maxRetries"), v.get("promptExamples"),
        v.get("logprobs"), v.get("assumedConfidence"));
  }

  /** Reads inline PEM keys now, so a broken key is reported with the file's line. */
  private static void checkModelTrust(ObjectType.Values v, Reader reader) {
    List<String> keys = v.get("trustedKeys");
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i);
      if (key == null || !key.contains("-----BEGIN")) {
        continue;
      }
      try {
        BundleKeys.readPublicKey(key, "inline key");
      } catch (BundleException e) {
        reader.error(v.node("trustedKeys"), "trustedKeys[" + i + "]: " + e.getMessage(),
            "paste the whole .pub file made by sluice model keygen");
      }
    }
  }

  static final ObjectType<RouteRule> RULE = ObjectType.builder("RouteRule",
          "A routing rule: when the condition holds, the record goes to the target. First match"
              + " wins; see docs/routing.md.")
      .optional("when", string("an expression such as \"novel or confidence < 0.7\""), null,
          "always", "Condition in the routing expression language.")
      .required("to", string("(local|cloud|review|drop|mqtt:[^\\s#+]+)",
              "local, cloud, review, drop or mqtt:<topic>"), "Where the record goes.")
      .optional("reason", oneOf("NOVEL", "LOW_CONFIDENCE", "POLICY", "ANOMALY",
          "UNCERTAIN_EXTRACTION", "SCHEMA_FAILURE", "RULE"), null, "derived",
          "Forward reason recorded with records sent to the cloud.")
      .build(v -> {
        org.yaml.snakeyaml.nodes.Node when = v.node("when");
        boolean quoted = when instanceof org.yaml.snakeyaml.nodes.ScalarNode sn
            && sn.getScalarStyle() != org.yaml.snakeyaml.DumperOptions.ScalarStyle.PLAIN;
        int line = v.present("when") ? when.getStartMark().getLine() + 1 : line(v);
        int column = v.present("when")
            ? when.getStartMark().getColumn() + 1 + (quoted ? 1 : 0) : 0;
        return new RouteRule(v.get("when"), v.get("to"), v.get("reason"), line, column);
      });

  static final ObjectType<InferenceBatching> BATCHING = ObjectType.builder("InferenceBatching",
          "How the pipeline's model steps batch their calls.")
      .optional("maxBatch", integer(1, 1024), 32, "32", "Most records in one batch.")
      .optional("maxTokens", integer(16, 1 << 20), 4096, "4096",
          "Token budget of a batch: batch size times padded length.")
      .optional("maxWait", duration(), Duration.ofMillis(20), "20ms",
          "Longest a record waits for batch-mates.")
      .build(v -> new InferenceBatching(v.get("maxBatch"), v.get("maxTokens"),
          v.get("maxWait")));

  /** A pipeline, whose steps are of the given kinds. */
  static ObjectType<Pipeline> pipeline(StepKinds kinds) {
    Map<String, Type<? extends Step>> variants = new LinkedHashMap<>();
    kinds.all().forEach(k -> variants.put(k.name(), k.shape()));
    Type<Step> step = Composites.oneKey("step", variants);
    return ObjectType.builder("Pipeline",
          "The steps the records of one source go through, then where they go.")
      .required("name", NAME_TYPE, "Unique name of the pipeline.")
      .required("from", NAME_TYPE, "The source it reads.")
      .optional("steps", listOf(step, 0), List.of(), "[]",
          "Operators in order; decoding always comes first and follows the source's format.")
      .optional("route", listOf(RULE, 0), List.of(), "[{to: local}]",
          "Routing rules; first match wins; without a match a record stays local.")
      .optional("inference", BATCHING, InferenceBatching.defaults(),
          "{maxBatch: 32, maxTokens: 4096, maxWait: 20ms}", "Batching of model calls.")
      .check(TopologyFormat::checkRoute)
      .build(v -> new Pipeline(v.get("name"), v.get("from"), v.get("steps"), v.get("route"),
          v.get("inference")));
  }

  /** Compiles the route rules now, so their mistakes are reported with the file's lines. */
  private static void checkRoute(ObjectType.Values v, Reader reader) {
    List<RouteRule> route = v.get("route");
    if (route.isEmpty()) {
      return;
    }
    try {
      RoutingRules.compile(route.stream()
          .map(r -> new RuleSpec(r.when(), r.to(), r.reason())).toList());
    } catch (RoutingException e) {
      reader.enterField("route");
      for (RuleError error : e.errors()) {
        RouteRule rule = route.get(Math.min(error.ruleIndex(), route.size() - 1));
        reader.enterIndex(error.ruleIndex());
        reader.enterField(error.field());
        boolean inWhen = "when".equals(error.field()) && rule.whenColumn() > 0;
        reader.error(rule.line(), inWhen ? rule.whenColumn() + error.column() - 1 : 0,
            error.message(), error.hint() == null ? "" : error.hint());
        reader.leave();
        reader.leave();
      }
      reader.leave();
    }
  }

  /** The largest payload limit: 1 MiB of Kafka's default limits less room for headers. */
  static final long MAX_PAYLOAD_BYTES = 960L * 1024;

  static final ObjectType<Limits> LIMITS = ObjectType.builder("Limits", "Guards against bad input.")
      .optional("maxPayloadBytes", size(), 64L * 1024, "64KiB",
          "Larger payloads go to the dead-letter topic as OVERSIZED, with their first 16 KiB and"
              + " their size, before they are written to Kafka. At most 960KiB: Kafka takes"
              + " records up to 1 MiB by default (max.request.size, message.max.bytes).")
      .check((v, reader) -> {
        if (v.<Long>get("maxPayloadBytes") > MAX_PAYLOAD_BYTES) {
          reader.error(v.node("maxPayloadBytes"), "maxPayloadBytes " + v.get("maxPayloadBytes")
              + " is above " + MAX_PAYLOAD_BYTES + " bytes: Kafka refuses records over 1 MiB by"
              + " default (producer max.request.size, broker message.max.bytes), so payloads"
              + " that size could never be written", "use at most 960KiB");
        }
      })
      .build(v -> new Limits(v.get("maxPayloadBytes")));

  static final ObjectType<Resolve> RESOLVE = ObjectType.builder("Resolve",
          "Cloud only: how forwarded records are resolved, de-duplicated and fed back.")
      .required("from", string("[A-Za-z0-9._-]+", "a Kafka topic name"),
          "Topic of forwarded records, e.g. sluice.forward (moved here by the cloud link).")
      .required("classify", StepKinds.builtIn().byName().get("classify").shape(),
          "How the cloud labels forwarded texts.")
      .optional("dedupeRetention", duration(), Duration.ofDays(7), "7d",
          "How long event ids are remembered; a record seen again within it is dropped.")
      .optional("feedbackMinConfidence", number(0, 1), 0.5, "0.5",
          "Verdicts at least this confident go back to the gateways as feedback.")
      .optional("feedbackTopic", string("[A-Za-z0-9._-]+", "a Kafka topic name"), null,
          "<from namespace>.feedback", "Compacted topic of feedback, keyed by event id.")
      .build(v -> {
        String from = v.get("from");
        String feedback = v.get("feedbackTopic") != null ? v.get("feedbackTopic")
            : Topics.namespaceOf(from).feedback();
        return new Resolve(from, (Step.Classify) v.<Step>get("classify"),
            v.get("dedupeRetention"), v.get("feedbackMinConfidence"), feedback);
      });

  static final ObjectType<CloudLink> CLOUD = ObjectType.builder("CloudLink",
          "Gateway only: the cloud's Kafka cluster. The cloud link moves <namespace>.forward and"
              + " <namespace>.summaries there and brings <namespace>.feedback back. Without it,"
              + " forwarded records stay in the gateway's topics.")
      .required("bootstrap", string("[^\\s,]+:\\d+(,[^\\s,]+:\\d+)*", "host:port[,host:port...]"),
          "Bootstrap servers of the cloud cluster.")
      .optional("properties", Composites.mapOf(string("[a-z0-9.]+", "a Kafka client setting"),
              string("a value"), 0), Map.of(), "{}",
          "Kafka client settings for the cloud cluster, e.g. security.protocol, sasl.jaas.config"
              + " (write secrets as ${ENV_VAR}).")
      .optional("retention", duration(), Duration.ofDays(7), "7d",
          "How long the gateway keeps forwarded records while the link is down.")
      .optional("learn", Scalars.bool(), true, "true",
          "Whether the gateway's classifiers learn the cloud's feedback as it arrives.")
      .build(v -> new CloudLink(v.get("bootstrap"), v.get("properties"), v.get("retention"),
          v.get("learn")));

  /** The root of a topology file; {@code file} is filled in by the loader. */
  /** A whole topology file, whose pipelines may use the given step kinds. */
  public static ObjectType<TopologySpec> topology(String file, StepKinds kinds) {
    return ObjectType.builder("Topology", "A Sluice topology file.")
        .required("apiVersion", oneOf("sluice/v1"), "Format version.")
        .required("kind", oneOf("Gateway", "Cloud"),
            "Gateway runs at the edge; Cloud resolves what gateways forward.")
        .required("metadata", METADATA, "Who this topology is.")
        .optional("brokers", BROKERS, null, "embedded MQTT and Kafka", "Brokers.")
        .optional("models", Composites.mapOf(NAME_TYPE, MODEL, 0), Map.of(), "{}",
            "Models, by the name steps use.")
        .optional("sources", listOf(SOURCE, 0), List.of(), "[]", "Device message streams.")
        .optional("pipelines", listOf(pipeline(kinds), 0), List.of(), "[]",
            "What happens to each source's records. A source without a pipeline passes through"
                + " to <namespace>.results after decoding.")
        .optional("resolve", RESOLVE, null, null,
            "Cloud only: how forwarded records are resolved.")
        .optional("cloud", CLOUD, null, null,
            "Gateway only: the cloud cluster the cloud link connects to.")
        .optional("limits", LIMITS, null, "{maxPayloadBytes: 64KiB}", "Input guards.")
        .check(TopologyFormat::checkKind)
        .check((v, reader) -> checkReferences(v, reader, kinds))
        .build(v -> {
          Metadata metadata = v.get("metadata");
          Brokers given = v.get("brokers");
          Brokers brokers = withDefaults(given, metadata);
          Limits limits = v.get("limits") == null ? new Limits(64L * 1024) : v.get("limits");
          return new TopologySpec(file, v.get("apiVersion"),
              v.<String>get("kind").equals("Gateway") ? TopologySpec.Kind.GATEWAY
                  : TopologySpec.Kind.CLOUD,
              metadata, brokers, named(v.get("models")), v.get("sources"), v.get("pipelines"),
              Optional.ofNullable(v.get("resolve")), Optional.ofNullable(v.get("cloud")), limits);
        });
  }

  private static Map<String, Model> named(Map<String, Model> models) {
    Map<String, Model> out = new LinkedHashMap<>();
    models.forEach((name, m) -> out.put(name,
        m.named(name)));
    return out;
  }

  private static Brokers withDefaults(Brokers given, Metadata metadata) {
    Brokers.Mqtt mqtt = given == null || given.mqtt() == null
        ? Brokers.Mqtt.embeddedDefaults()
        : given.mqtt();
    if (mqtt.clientId() == null) {
      mqtt = new Brokers.Mqtt(mqtt.url(), "sluice-" + metadata.name(), mqtt.username(),
          mqtt.password(), mqtt.receiveMaximum(), mqtt.sessionExpiry(), mqtt.tls());
    }
    Brokers.Kafka kafka = given == null || given.kafka() == null
        ? new Brokers.Kafka("embedded", 3, Brokers.Kafka.DEFAULT_COMMIT_INTERVAL) : given.kafka();
    return new Brokers(mqtt, kafka);
  }

  private static void checkKind(ObjectType.Values v, Reader reader) {
    boolean cloud = "Cloud".equals(v.get("kind"));
    if (cloud) {
      if (v.get("resolve") == null) {
        reader.error(v.node(), "a Cloud topology needs a resolve section",
            "add resolve: {from: sluice.forward, classify: {...}}");
      }
      for (String gatewayOnly : List.of("sources", "pipelines")) {
        if (v.present(gatewayOnly)) {
          reader.error(v.node(gatewayOnly), "'" + gatewayOnly + "' belongs to Gateway topologies",
              "a Cloud topology reads forwarded records from resolve.from");
        }
      }
      if (v.get("resolve") != null) {
        Resolve r = v.get("resolve");
        if (!v.<Map<String, Model>>get("models").containsKey(r.classify().model())) {
          reader.error(v.node("resolve"), "model '" + r.classify().model()
              + "' is not declared under models", "declare it under models");
        }
      }
      if (v.present("cloud")) {
        reader.error(v.node("cloud"), "'cloud' belongs to Gateway topologies",
            "a Cloud topology is the other end of the link");
      }
    } else if (v.present("resolve")) {
      reader.error(v.node("resolve"), "'resolve' belongs to Cloud topologies",
          "set kind: Cloud, or remove resolve");
    }
  }

  private static void checkSteps(Pipeline p, Source source, Map<String, Model> models,
      Reader reader, StepKinds kinds) {
    boolean text = source.schema() == Source.Schema.TEXT_EVENT;
    boolean remoteClassify = p.steps(Step.Classify.class).stream().anyMatch(c ->
        models.containsKey(c.model()) && models.get(c.model()).openai().isPresent());
    if (remoteClassify) {
      for (Step.Novelty novelty : p.steps(Step.Novelty.class)) {
        reader.error(novelty.line(), 0, "novelty needs the classify step's embeddings, and that"
            + " step classifies with a model of kind openai", "classify with an onnx model, or"
            + " remove the novelty step");
      }
    }
    for (int s = 0; s < p.steps().size(); s++) {
      Step step = p.steps().get(s);
      reader.enterField("steps");
      reader.enterIndex(s);
      reader.enterField(step.kind());
      checkStep(kinds, kinds.of(step), step, p.steps().subList(0, s), source, text, models,
          reader);
      reader.leave();
      reader.leave();
      reader.leave();
    }
  }

  private static <S extends Step> void checkStep(StepKinds kinds, StepKind<S> kind, S step,
      List<Step> earlier, Source source, boolean text, Map<String, Model> models,
      Reader reader) {
    if (kind.readsText() != text) {
      List<String> alike = kinds.all().stream().filter(k -> k.readsText() == kind.readsText())
          .map(StepKind::name).toList();
      String names = alike.size() == 1 ? alike.get(0)
          : String.join(", ", alike.subList(0, alike.size() - 1)) + " and "
              + alike.get(alike.size() - 1);
      reader.error(step.line(), 0, "step '" + step.kind() + "' cannot run on source '"
          + source.name() + "', whose records are " + (text ? "TextEvent" : "SensorReading"),
          names + (alike.size() == 1 ? " runs" : " run") + " on "
              + (kind.readsText() ? "TextEvent" : "SensorReading") + " sources");
    }
    kind.model(step).filter(models::containsKey).ifPresent(model -> {
      if (models.get(model).openai().isPresent() && !(step instanceof Step.Classify)) {
        reader.error(step.line(), 0, "model '" + model + "' is of kind openai, and step '"
            + step.kind() + "' runs local models only",
            "name an onnx model here; openai models classify (a classify step, or a Cloud"
                + " topology's resolve.classify)");
      } else if (models.get(model).openai().isPresent()) {
        // classify over HTTP: nothing of the bundle to check
      } else {
        kind.checkModel(step, models.get(model), baseDirOf(reader.file()),
            (message, hint) -> reader.error(step.line(), 0, message, hint));
      }
    });
    kind.model(step).ifPresent(model -> {
      if (!models.containsKey(model)) {
        String near = Suggestions.nearest(model, models.keySet());
        reader.error(step.line(), 0, "model '" + model + "' is not declared under models",
            near != null ? "did you mean '" + near + "'?"
                : "declare it: models: {" + model + ": {bundle: classpath:all-minilm-l6-v2-q}}");
      }
    });
    kind.check(step, earlier, (message, hint) -> reader.error(step.line(), 0, message, hint));
  }

  /** The folder of a topology file that is on disk; null for a bundled or in-memory one. */
  private static java.nio.file.Path baseDirOf(String file) {
    try {
      java.nio.file.Path path = java.nio.file.Path.of(file);
      return java.nio.file.Files.isRegularFile(path)
          ? path.toAbsolutePath().getParent() : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static void checkReferences(ObjectType.Values v, Reader reader, StepKinds kinds) {
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
        String near = Suggestions.nearest(p.from(), names);
        reader.error(v.node("pipelines"), "pipeline '" + p.name() + "' reads from '" + p.from()
            + "', which is not a source", near != null ? "did you mean '" + near + "'?"
                : "declared sources: " + names);
      } else if (!fed.add(p.from())) {
        reader.error(v.node("pipelines"), "source '" + p.from()
            + "' feeds two pipelines", "one pipeline per source");
      } else {
        Source source = sources.stream().filter(s -> s.name().equals(p.from())).findFirst()
            .orElseThrow();
        checkSteps(p, source, v.get("models"), reader, kinds);
      }
      reader.leave();
    }
    reader.leave();
  }
}
