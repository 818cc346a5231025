package io.sluice.operators.sparkplug;

import static io.sluice.schemas.JsonText.quote;

import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.operators.OperatorMeters;
import io.sluice.schemas.DeadLetters;
import io.sluice.operators.decode.DecodeException;
import io.sluice.operators.decode.EventSchema;
import io.sluice.schemas.LogLimiter;
import io.sluice.operators.sparkplug.internal.MetricValues;
import io.sluice.operators.sparkplug.internal.NodeSession;
import io.sluice.operators.sparkplug.internal.SparkplugTopic;
import io.sluice.schemas.DeadLetterType;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.PipelineRecord;
import io.sluice.schemas.RecordHeaders;
import io.sluice.schemas.RecordKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.eclipse.tahu.protobuf.SparkplugBProto.DataType;
import org.eclipse.tahu.protobuf.SparkplugBProto.Payload;
import org.eclipse.tahu.protobuf.SparkplugBProto.Payload.Metric;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first operator of a {@code format: sparkplug} source: the state machine of a Sparkplug B
 * 3.0 host application, fed by the raw MQTT messages of its edge nodes.
 *
 * <p><b>State.</b> The ingress keys each message by {@code <group>/<edge node>}, so all of one
 * edge node's messages reach one task in their MQTT order. Per edge node a logged store keeps
 * what its NBIRTH and DBIRTHs declared (aliases, names, datatypes, units), its bdSeq, the last
 * seq and whether the node is stale ({@link NodeSession}); a restart resumes where it stopped.
 *
 * <p><b>Messages.</b> Births declare metrics and are values too. DATA metrics are resolved by
 * name or alias against the births and become one record each: a reading (numbers, booleans as 1
 * or 0) in a SensorReading source, a text (String, Text) in a TextEvent source, flattened by the
 * naming rule of {@link MetricValues}. NDEATH (with the session's bdSeq) makes the node stale,
 * DDEATH the device dead. STATE and commands are not data and pass by.
 *
 * <p><b>Rebirth.</b> A seq that is not the previous one plus 1 (mod 256), DATA from a node with
 * no birth, or an alias no birth declared marks the node stale and requests a rebirth: an NCMD
 * {@code Node Control/Rebirth = true} written to the alerts child with its MQTT target, which the
 * MQTT egress publishes. At most one request per node per {@code rebirthInterval}.
 *
 * <p><b>Bad input.</b> A payload that is not protobuf, on a topic that is not Sparkplug, with an
 * alias no birth declared, or with a value that does not match its datatype goes whole to the
 * dead-letter child with its raw bytes and the reason, and nothing of it is emitted; the stream
 * goes on.
 */
public final class SparkplugProcessor implements Processor<byte[], byte[], String, Object> {

  private static final Logger log = LoggerFactory.getLogger(SparkplugProcessor.class);
  static final String REBIRTH_METRIC = "Node Control/Rebirth";

  /**
   * @param source topology source name
   * @param schema what records the source emits: readings or texts
   * @param storeName the logged store of node sessions
   * @param rebirthInterval least time between two rebirth requests to one edge node
   * @param maxPayloadBytes larger payloads go to the dead-letter child
   */
  public record Settings(String source, EventSchema schema, String storeName,
      Duration rebirthInterval, long maxPayloadBytes) {
    public Settings {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(schema, "schema");
      Objects.requireNonNull(storeName, "storeName");
      Objects.requireNonNull(rebirthInterval, "rebirthInterval");
    }
  }

  /** Child node names. */
  public record Children(String next, String deadLetters, String commands) {}

  /** A supplier that owns the session store; one stale-node gauge for all its tasks. */
  public static ProcessorSupplier<byte[], byte[], String, Object> supplier(Settings settings,
      Children children, MeterRegistry registry, Clock clock) {
    StoreBuilder<?> store = Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(settings.storeName()), Serdes.String(),
            Serdes.ByteArray())
        .withCachingEnabled()
        .withLoggingEnabled(Map.of());
    Set<String> staleNodes = ConcurrentHashMap.newKeySet();
    OperatorMeters.SPARKPLUG_STALE_NODES.gauge(registry, staleNodes, Set::size,
        "source", settings.source());
    return new ProcessorSupplier<>() {
      @Override
      public Processor<byte[], byte[], String, Object> get() {
        return new SparkplugProcessor(settings, children, registry, clock, staleNodes);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(store);
      }
    };
  }

  private final Settings settings;
  private final Children children;
  private final MeterRegistry registry;
  private final Clock clock;
  private final Set<String> staleNodes;
  private final LogLimiter logLimiter;
  private final Map<String, NodeSession> sessions = new HashMap<>();
  private final Map<String, Counter> counters = new HashMap<>();
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, byte[]> store;
  private Counter in;
  private Counter decoded;
  private Counter bytesIn;
  private Counter gaps;

  SparkplugProcessor(Settings settings, Children children, MeterRegistry registry, Clock clock,
      Set<String> staleNodes) {
    this.settings = settings;
    this.children = children;
    this.registry = registry;
    this.clock = clock;
    this.staleNodes = staleNodes;
    this.logLimiter = new LogLimiter(clock, 60_000, 10);
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.store = context.getStateStore(settings.storeName());
    sessions.clear();
    String source = settings.source();
    in = OperatorMeters.RECORDS_IN.counter(registry, "source", source);
    decoded = OperatorMeters.RECORDS_DECODED.counter(registry, "source", source);
    bytesIn = OperatorMeters.BYTES_IN.counter(registry, "source", source);
    gaps = OperatorMeters.SPARKPLUG_SEQUENCE_GAPS.counter(registry, "source", source);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    in.increment();
    byte[] raw = record.value() == null ? new byte[0] : record.value();
    bytesIn.increment(raw.length);
    RecordMetadata meta = context.recordMetadata().orElse(null);
    Position at = new Position(meta == null ? "unknown" : meta.topic(),
        meta == null ? -1 : meta.partition(), meta == null ? -1 : meta.offset());
    String mqttTopic = header(record, RecordHeaders.MQTT_TOPIC);
    if (mqttTopic == null) {
      deadLetter(record, at, DeadLetterType.MISSING_FIELD, "no " + RecordHeaders.MQTT_TOPIC
          + " header: a Sparkplug message is read by its MQTT topic");
      return;
    }
    String[] why = new String[1];
    SparkplugTopic topic = SparkplugTopic.parse(mqttTopic, why);
    if (topic == null) {
      deadLetter(record, at, DeadLetterType.SCHEMA_VIOLATION, why[0]);
      return;
    }
    if (topic.type() == SparkplugTopic.Type.STATE || topic.type() == SparkplugTopic.Type.NCMD
        || topic.type() == SparkplugTopic.Type.DCMD) {
      return;
    }
    if (raw.length > settings.maxPayloadBytes()) {
      deadLetter(record, at, DeadLetterType.OVERSIZED, "payload of " + raw.length
          + " bytes is over limits.maxPayloadBytes (" + settings.maxPayloadBytes() + ")");
      return;
    }
    Payload payload;
    try {
      payload = Payload.parseFrom(raw);
    } catch (InvalidProtocolBufferException e) {
      deadLetter(record, at, DeadLetterType.MALFORMED, "not a Sparkplug B payload ("
          + topic.type() + " on " + mqttTopic + "): " + e.getMessage());
      return;
    }
    NodeSession session = session(topic.node());
    boolean birthsChanged = false;
    List<Value> values = new ArrayList<>();
    try {
      switch (topic.type()) {
        case NBIRTH -> {
          session.birth(bdSeq(payload), payload.hasSeq() ? (int) payload.getSeq() : 0);
          count(OperatorMeters.SPARKPLUG_BIRTHS, "type", "NBIRTH");
          birthsChanged = true;
          values = metrics(payload, topic, session, true);
          stale(topic.node(), false);
        }
        case DBIRTH -> {
          checkSequence(topic, session, payload);
          session.deviceBirth(topic.device());
          count(OperatorMeters.SPARKPLUG_BIRTHS, "type", "DBIRTH");
          birthsChanged = true;
          values = metrics(payload, topic, session, true);
        }
        case NDATA, DDATA -> {
          checkSequence(topic, session, payload);
          values = metrics(payload, topic, session, false);
        }
        case DDEATH -> {
          checkSequence(topic, session, payload);
          session.deviceDeath(topic.device());
          count(OperatorMeters.SPARKPLUG_DEATHS, "type", "DDEATH");
          birthsChanged = true;
        }
        case NDEATH -> {
          long bdSeq = bdSeq(payload);
          if (session.born() && (bdSeq < 0 || bdSeq == session.bdSeq())) {
            session.death();
            count(OperatorMeters.SPARKPLUG_DEATHS, "type", "NDEATH");
            birthsChanged = true;
            stale(topic.node(), true);
          }
          // an NDEATH of an earlier session (older bdSeq) is the broker delivering a stale will
        }
        default -> { }
      }
    } catch (DecodeException e) {
      save(topic.node(), session, true);
      deadLetter(record, at, e.type(), topic.type() + " from " + topic.deviceId() + ": "
          + e.getMessage());
      return;
    }
    save(topic.node(), session, birthsChanged);
    emit(record, at, topic, session, values);
  }

  /** Checks seq; on a gap or a missing birth marks the node stale and asks for a rebirth. */
  private void checkSequence(SparkplugTopic topic, NodeSession session, Payload payload) {
    if (!session.born()) {
      stale(topic.node(), true);
      session.stale(true);
      requestRebirth(topic, session, "no-birth");
      if (payload.hasSeq()) {
        session.seq((int) payload.getSeq());
      }
      return;
    }
    if (!payload.hasSeq()) {
      return;
    }
    int seq = (int) payload.getSeq();
    int expected = (session.lastSeq() + 1) & 0xFF;
    session.seq(seq);
    if (seq != expected) {
      gaps.increment();
      admitLog("gap", "Sparkplug edge node {} of source {}: seq {} where {} was expected;"
          + " the node is stale until it is born again", topic.node(), settings.source(), seq,
          expected);
      session.stale(true);
      stale(topic.node(), true);
      requestRebirth(topic, session, "sequence-gap");
    }
  }

  private void requestRebirth(SparkplugTopic topic, NodeSession session, String reason) {
    long now = clock.millis();
    long last = session.lastRebirthRequest();
    if (last != Long.MIN_VALUE && now - last < settings.rebirthInterval().toMillis()) {
      return;
    }
    session.rebirthRequested(now);
    count(OperatorMeters.SPARKPLUG_REBIRTH_REQUESTS, "reason", reason);
    log.info("Sparkplug source {}: requesting a rebirth of edge node {} ({})", settings.source(),
        topic.node(), reason);
    byte[] command = rebirthCommand(now);
    var headers = new org.apache.kafka.common.header.internals.RecordHeaders();
    headers.add(RecordHeaders.MQTT_TARGET,
        topic.nodeCommandTopic().getBytes(StandardCharsets.UTF_8));
    context.forward(new Record<String, Object>(topic.node(), command, now, headers),
        children.commands());
  }

  /** The NCMD that asks an edge node to publish its NBIRTH and DBIRTHs again. */
  static byte[] rebirthCommand(long now) {
    return Payload.newBuilder()
        .setTimestamp(now)
        .addMetrics(Metric.newBuilder().setName(REBIRTH_METRIC).setTimestamp(now)
            .setDatatype(DataType.Boolean_VALUE).setBooleanValue(true))
        .build().toByteArray();
  }

  private List<Value> metrics(Payload payload, SparkplugTopic topic, NodeSession session,
      boolean birth) throws DecodeException {
    List<Value> out = new ArrayList<>(payload.getMetricsCount());
    long payloadTime = payload.hasTimestamp() ? payload.getTimestamp() : -1;
    for (int i = 0; i < payload.getMetricsCount(); i++) {
      Metric m = payload.getMetrics(i);
      String where = "metric " + i + (m.hasName() ? " '" + m.getName() + "'" : "")
          + (m.hasAlias() ? " (alias " + m.getAlias() + ")" : "");
      NodeSession.Declared declared;
      if (birth) {
        if (!m.hasName() || m.getName().isEmpty()) {
          throw new DecodeException(DeadLetterType.MISSING_FIELD, where
              + ": metrics in a birth must carry a name");
        }
        if (!m.hasDatatype()) {
          throw new DecodeException(DeadLetterType.MISSING_FIELD, where
              + ": metrics in a birth must carry a datatype");
        }
        MetricValues.type(m.getDatatype(), where);
        declared = new NodeSession.Declared(topic.device(), m.getName(), m.getDatatype(),
            unit(m));
        session.declare(m.hasAlias() ? m.getAlias() : -1, declared);
      } else if (m.hasName() && !m.getName().isEmpty()) {
        declared = session.named(topic.device(), m.getName());
        if (declared == null && !m.hasDatatype()) {
          requestRebirth(topic, session, "unknown-metric");
          throw new DecodeException(DeadLetterType.SCHEMA_VIOLATION, where + " has no datatype"
              + " and no birth of " + topic.deviceId() + " declared it; rebirth requested");
        }
      } else if (m.hasAlias()) {
        declared = session.alias(m.getAlias());
        if (declared == null || !declared.device().equals(topic.device())) {
          session.stale(true);
          stale(topic.node(), true);
          requestRebirth(topic, session, "unknown-alias");
          throw new DecodeException(DeadLetterType.SCHEMA_VIOLATION, where + ": alias "
              + m.getAlias() + " was not declared by " + (session.born() ? "the births of "
                  + topic.deviceId() : "any birth (none seen from " + topic.node() + " yet)")
              + "; rebirth requested");
        }
      } else {
        throw new DecodeException(DeadLetterType.MISSING_FIELD, where
            + " has neither a name nor an alias");
      }
      String name = m.hasName() && !m.getName().isEmpty() ? m.getName() : declared.name();
      int datatype = m.hasDatatype() ? m.getDatatype() : declared.datatype();
      if (declared != null && m.hasDatatype() && declared.datatype() != m.getDatatype()) {
        throw new DecodeException(DeadLetterType.WRONG_TYPE, where + " is "
            + DataType.forNumber(m.getDatatype()) + " but its birth declared "
            + DataType.forNumber(declared.datatype()));
      }
      String unit = unit(m);
      if (unit == null && declared != null) {
        unit = declared.unit();
      }
      long time = m.hasTimestamp() ? m.getTimestamp() : payloadTime;
      Collector collector = new Collector(out, unit, m.getIsHistorical());
      MetricValues.flatten(m, name, MetricValues.type(datatype, where), time, where, collector);
    }
    return out;
  }

  private void emit(Record<byte[], byte[]> record, Position at, SparkplugTopic topic,
      NodeSession session, List<Value> values) {
    long received = receivedAt(record);
    String deviceId = topic.deviceId();
    boolean stale = session.stale() || session.deviceDead(topic.device());
    for (int i = 0; i < values.size(); i++) {
      Value v = values.get(i);
      boolean text = v.text != null;
      if (text != (settings.schema() == EventSchema.TEXT_EVENT)) {
        count(OperatorMeters.SPARKPLUG_METRICS_SKIPPED, "type", text ? "text" : "number");
        continue;
      }
      Map<String, String> attributes = new LinkedHashMap<>();
      attributes.put("sparkplug.type", topic.type().name());
      if (v.unit != null) {
        attributes.put("unit", v.unit);
      }
      if (v.historical) {
        attributes.put("sparkplug.historical", "true");
      }
      if (stale) {
        attributes.put("sparkplug.stale", "true");
      }
      long time = v.timestamp >= 0 ? v.timestamp : received;
      InferenceResult.Builder result = InferenceResult.newBuilder()
          .setEventId(settings.source() + "-" + at.partition + "-" + at.offset + "-" + i)
          .setSource(settings.source())
          .setDeviceId(deviceId)
          .setTimestamp(Instant.ofEpochMilli(time))
          .setRoute("local")
          .setMetric(v.name)
          .setAttributes(attributes);
      if (text) {
        result.setKind(RecordKind.TEXT).setText(v.text);
      } else {
        result.setKind(RecordKind.SENSOR).setValue(v.number);
      }
      PipelineRecord out = PipelineRecord.newBuilder()
          .setResult(result.build())
          .setPayload(ByteBuffer.wrap(json(deviceId, v, time)))
          .build();
      decoded.increment();
      context.forward(new Record<String, Object>(deviceId, out, time, record.headers()),
          children.next());
    }
  }

  /** The reading as a JSON SensorReading or TextEvent, what a forwarded record carries. */
  private static byte[] json(String deviceId, Value v, long time) {
    StringBuilder b = new StringBuilder(96).append("{\"deviceId\":");
    quote(b, deviceId).append(",\"metric\":");
    quote(b, v.name);
    if (v.text != null) {
      b.append(",\"text\":");
      quote(b, v.text);
    } else {
      b.append(",\"value\":").append(Double.isFinite(v.number) ? Double.toString(v.number)
          : "null");
    }
    if (v.unit != null) {
      b.append(",\"unit\":");
      quote(b, v.unit);
    }
    return b.append(",\"timestamp\":").append(time).append('}').toString()
        .getBytes(StandardCharsets.UTF_8);
  }

  private static long bdSeq(Payload payload) {
    for (Metric m : payload.getMetricsList()) {
      if ("bdSeq".equals(m.getName())) {
        return m.hasLongValue() ? m.getLongValue() : Integer.toUnsignedLong(m.getIntValue());
      }
    }
    return -1;
  }

  /** The engineering unit from the metric's properties (engUnit, engUnits or unit). */
  private static String unit(Metric m) {
    if (!m.hasProperties()) {
      return null;
    }
    var props = m.getProperties();
    for (int i = 0; i < props.getKeysCount() && i < props.getValuesCount(); i++) {
      String key = props.getKeys(i);
      if ((key.equals("engUnit") || key.equals("engUnits") || key.equals("unit"))
          && props.getValues(i).hasStringValue()) {
        return props.getValues(i).getStringValue();
      }
    }
    return null;
  }

  private NodeSession session(String node) {
    NodeSession s = sessions.get(node);
    if (s == null) {
      s = NodeSession.restore(store.get("b:" + node), store.get("s:" + node));
      sessions.put(node, s);
      if (s.stale()) {
        staleNodes.add(settings.source() + "|" + node);
      }
    }
    return s;
  }

  private void save(String node, NodeSession session, boolean births) {
    if (births) {
      store.put("b:" + node, session.birthsBytes());
    }
    store.put("s:" + node, session.sequenceBytes());
  }

  private void stale(String node, boolean stale) {
    if (stale) {
      staleNodes.add(settings.source() + "|" + node);
    } else {
      staleNodes.remove(settings.source() + "|" + node);
    }
  }

  private void count(OperatorMeters meter, String tag, String value) {
    counters.computeIfAbsent(meter.name() + "|" + value, k -> meter.counter(registry, "source",
        settings.source(), tag, value)).increment();
  }

  private void deadLetter(Record<byte[], byte[]> record, Position at, DeadLetterType type,
      String reason) {
    count(OperatorMeters.DLQ, "reason", type.name());
    admitLog(type.name(), "Dead letter from source {} ({}-{}@{}): {}: {}", settings.source(),
        at.topic, at.partition, at.offset, type, reason);
    context.forward(new Record<String, Object>(settings.source(), DeadLetters.of(record.key(),
        record.value(), record.headers(), at.topic, at.partition, at.offset, type, reason,
        Instant.ofEpochMilli(clock.millis())), record.timestamp()), children.deadLetters());
  }

  private void admitLog(String key, String format, Object... args) {
    long suppressed = logLimiter.admit(key);
    if (suppressed >= 0) {
      log.warn(format + (suppressed > 0 ? " (" + suppressed + " more not logged in the last"
          + " minute)" : ""), args);
    }
  }

  private static long receivedAt(Record<byte[], byte[]> record) {
    String h = header(record, RecordHeaders.RECEIVED_AT);
    if (h != null) {
      try {
        return Long.parseLong(h);
      } catch (NumberFormatException ignored) {
        // the record timestamp
      }
    }
    return record.timestamp();
  }

  private static String header(Record<byte[], byte[]> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private record Position(String topic, int partition, long offset) {}

  private record Value(String name, double number, String text, long timestamp, String unit,
      boolean historical) {}

  private final class Collector implements MetricValues.Sink {
    private final List<Value> out;
    private final String unit;
    private final boolean historical;

    Collector(List<Value> out, String unit, boolean historical) {
      this.out = out;
      this.unit = unit;
      this.historical = historical;
    }

    @Override
    public void number(String name, double value, long timestamp) {
      out.add(new Value(name, value, null, timestamp, unit, historical));
    }

    @Override
    public void text(String name, String value, long timestamp) {
      out.add(new Value(name, 0, value, timestamp, null, historical));
    }

    @Override
    public void skipped(String what) {
      count(OperatorMeters.SPARKPLUG_METRICS_SKIPPED, "type", what);
    }
  }
}
