package io.sluice.connectors.opcua;

import static io.sluice.schemas.JsonText.quote;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.connectors.ConnectorMeters;
import io.sluice.connectors.internal.Backoff;
import io.sluice.connectors.internal.KafkaErrors;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.DeadLetter;
import io.sluice.schemas.DeadLetterType;
import io.sluice.schemas.RecordHeaders;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.SessionActivityListener;
import org.eclipse.milo.opcua.sdk.client.api.UaSession;
import org.eclipse.milo.opcua.sdk.client.api.identity.AnonymousProvider;
import org.eclipse.milo.opcua.sdk.client.api.identity.IdentityProvider;
import org.eclipse.milo.opcua.sdk.client.api.identity.UsernameProvider;
import org.eclipse.milo.opcua.sdk.client.api.subscriptions.UaMonitoredItem;
import org.eclipse.milo.opcua.sdk.client.api.subscriptions.UaSubscription;
import org.eclipse.milo.opcua.sdk.client.api.subscriptions.UaSubscriptionManager;
import org.eclipse.milo.opcua.stack.client.security.DefaultClientCertificateValidator;
import org.eclipse.milo.opcua.stack.core.AttributeId;
import org.eclipse.milo.opcua.stack.core.Identifiers;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.security.DefaultTrustListManager;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExtensionObject;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.enumerated.BrowseDirection;
import org.eclipse.milo.opcua.stack.core.types.enumerated.BrowseResultMask;
import org.eclipse.milo.opcua.stack.core.types.enumerated.DataChangeTrigger;
import org.eclipse.milo.opcua.stack.core.types.enumerated.DeadbandType;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MonitoringMode;
import org.eclipse.milo.opcua.stack.core.types.enumerated.NodeClass;
import org.eclipse.milo.opcua.stack.core.types.enumerated.TimestampsToReturn;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowseDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowsePath;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowsePathResult;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowseResult;
import org.eclipse.milo.opcua.stack.core.types.structured.DataChangeFilter;
import org.eclipse.milo.opcua.stack.core.types.structured.EndpointDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.MonitoredItemCreateRequest;
import org.eclipse.milo.opcua.stack.core.types.structured.MonitoringParameters;
import org.eclipse.milo.opcua.stack.core.types.structured.ReadValueId;
import org.eclipse.milo.opcua.stack.core.types.structured.ReferenceDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.RelativePath;
import org.eclipse.milo.opcua.stack.core.types.structured.RelativePathElement;
import org.eclipse.milo.opcua.stack.core.types.structured.ViewDescription;
import org.eclipse.milo.opcua.stack.core.util.CertificateUtil;
import org.eclipse.milo.opcua.stack.core.util.EndpointUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an OPC UA server (Eclipse Milo client) into Kafka: one subscription with a monitored item
 * per configured node; each value change becomes a JSON SensorReading on the source's input topic
 * (device, metric, value, the source timestamp, and the status as attribute {@code opcua.status}),
 * which the topology decodes like any JSON source.
 *
 * <p><b>Names.</b> The metric is the node's browse name and the device its parent object's,
 * unless the node's settings name them; both are read once per connection.
 *
 * <p><b>Status.</b> Bad values go to the dead-letter topic (raw bytes: the reading as JSON) or on
 * with their status, as configured; Uncertain ones always go on, flagged. A value that is not a
 * number or boolean goes to the dead-letter topic.
 *
 * <p><b>Connection.</b> The first connect is retried with exponential backoff; after that Milo's
 * session machinery reconnects, and when the server no longer knows our subscription (it
 * restarted) the listener recreates it. An unknown server certificate is refused: Milo writes it
 * to {@code <trustDir>/rejected}, and the log says to move it to {@code trusted/certs}.
 *
 * <p><b>Bounded memory.</b> Values wait for the Kafka producer in a queue of {@code bufferSize}.
 * When it fills, publishing is switched off on the server (which then keeps {@code queueSize}
 * values per node, discarding the oldest), and switched on again when half has drained; a value
 * that still finds the queue full is dropped and counted ({@code sluice.opcua.dropped}).
 */
public final class OpcUaSource implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OpcUaSource.class);

  /** Connection state, as reported to health checks. */
  public enum State { CREATED, CONNECTING, SUBSCRIBED, DISCONNECTED, CLOSED }

  private final OpcUaSourceSettings settings;
  private final Producer<byte[], byte[]> producer;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final Thread sender;
  private final BlockingQueue<ProducerRecord<byte[], byte[]>> buffer;
  private final Backoff backoff;
  private final Counter values;
  private final Counter written;
  private final Counter dropped;
  private final Counter kafkaLost;
  private final Counter reconnects;
  private final MeterRegistry registry;
  private final Map<String, Counter> deadLetters = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile State state = State.CREATED;
  private volatile OpcUaClient client;
  private volatile UaSubscription subscription;
  private volatile boolean paused;
  private volatile boolean closing;
  private volatile List<Resolved> resolved = List.of();

  /** A configured node with its id and names as read from the server. */
  private record Resolved(OpcUaSourceSettings.Node node, NodeId id, String device,
      String metric) {}

  /**
   * @param producer where readings and dead letters go; the source does not close it
   * @param clock stamps {@code sluice.received-at} and readings without timestamps
   */
  public OpcUaSource(OpcUaSourceSettings settings, Producer<byte[], byte[]> producer,
      MeterRegistry registry, Clock clock) {
    this.settings = settings;
    this.producer = producer;
    this.clock = clock;
    this.registry = registry;
    this.buffer = new ArrayBlockingQueue<>(settings.bufferSize());
    this.backoff = new Backoff(settings.reconnectMin(), settings.reconnectMax());
    String source = settings.source();
    this.values = ConnectorMeters.OPCUA_VALUES.counter(registry, "source", source);
    this.written = ConnectorMeters.OPCUA_WRITTEN.counter(registry, "source", source);
    this.dropped = ConnectorMeters.OPCUA_DROPPED.counter(registry, "source", source,
        "reason", "buffer-full");
    this.kafkaLost = ConnectorMeters.OPCUA_DROPPED.counter(registry, "source", source,
        "reason", "kafka-refused");
    this.reconnects = ConnectorMeters.OPCUA_RECONNECTS.counter(registry, "source", source);
    ConnectorMeters.OPCUA_BUFFERED.gauge(registry, buffer, BlockingQueue::size,
        "source", source);
    ConnectorMeters.OPCUA_SUBSCRIBED.gauge(registry, this,
        s -> s.state == State.SUBSCRIBED ? 1 : 0, "source", source);
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sluice-opcua-" + source);
      t.setDaemon(true);
      return t;
    });
    this.sender = new Thread(this::sendLoop, "sluice-opcua-kafka-" + source);
    this.sender.setDaemon(true);
  }

  public OpcUaSourceSettings settings() {
    return settings;
  }

  public State state() {
    return state;
  }

  /** Connects and subscribes in the background, retrying until it succeeds or is closed. */
  public void start() {
    state = State.CONNECTING;
    sender.start();
    scheduler.execute(this::connect);
  }

  private void connect() {
    if (closing) {
      return;
    }
    try {
      OpcUaClient c = client;
      if (c == null) {
        c = createClient();
        c.addSessionActivityListener(new SessionActivityListener() {
          @Override
          public void onSessionActive(UaSession session) {
            if (subscription != null) {
              state = State.SUBSCRIBED;
            }
          }

          @Override
          public void onSessionInactive(UaSession session) {
            if (!closing) {
              state = State.DISCONNECTED;
              log.warn("OPC UA source {}: session with {} lost; Milo reconnects",
                  settings.source(), settings.endpoint());
            }
          }
        });
        c.getSubscriptionManager().addSubscriptionListener(
            new UaSubscriptionManager.SubscriptionListener() {
              @Override
              public void onSubscriptionTransferFailed(UaSubscription s, StatusCode status) {
                log.warn("OPC UA source {}: the server did not take our subscription back ({});"
                    + " creating it again", settings.source(), statusName(status));
                subscription = null;
                state = State.CONNECTING;
                reconnects.increment();
                scheduler.execute(OpcUaSource.this::connect);
              }
            });
        client = c;
      }
      c.connect().get(30, TimeUnit.SECONDS);
      resolved = resolve(c);
      subscribe(c);
      backoff.reset();
      state = State.SUBSCRIBED;
      log.info("OPC UA source {}: subscribed to {} nodes of {} (sampling {} ms)",
          settings.source(), resolved.size(), settings.endpoint(),
          settings.samplingInterval().toMillis());
    } catch (Exception e) {
      if (closing) {
        return;
      }
      Throwable cause = unwrap(e);
      Duration delay = backoff.next();
      reconnects.increment();
      state = State.DISCONNECTED;
      log.warn("OPC UA source {}: cannot subscribe to {}: {}; retrying in {} ms",
          settings.source(), settings.endpoint(), describe(cause), delay.toMillis());
      if (client != null && subscription == null && isSecurityRefusal(cause)) {
        // a new client next time, so that a certificate the user has since trusted is read
        OpcUaClient stale = client;
        client = null;
        stale.disconnect();
      }
      scheduler.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private OpcUaClient createClient() throws Exception {
    Files.createDirectories(settings.trustDir());
    DefaultTrustListManager trust = new DefaultTrustListManager(settings.trustDir().toFile());
    SecurityPolicy policy = SecurityPolicy.valueOf(settings.securityPolicy());
    MessageSecurityMode mode = MessageSecurityMode.valueOf(settings.securityMode());
    Optional<KeyMaterial> keys = settings.certificate().isPresent()
        ? Optional.of(loadKeys()) : Optional.empty();
    String host = EndpointUtil.getHost(settings.endpoint());
    int port = EndpointUtil.getPort(settings.endpoint());
    return OpcUaClient.create(settings.endpoint(),
        endpoints -> endpoints.stream()
            .filter(e -> policy.getUri().equals(e.getSecurityPolicyUri())
                && e.getSecurityMode() == mode)
            .findFirst()
            // the server may advertise another host name; keep the one the user configured
            .map(e -> EndpointUtil.updateUrl(e, host, port)),
        builder -> {
          builder.setApplicationName(LocalizedText.english("Sluice gateway"))
              .setApplicationUri(keys.map(k -> k.applicationUri)
                  .orElse("urn:sluice:gateway:" + settings.source()))
              .setIdentityProvider(identity())
              .setCertificateValidator(new DefaultClientCertificateValidator(trust))
              .setRequestTimeout(uint(10_000));
          keys.ifPresent(k -> builder.setKeyPair(k.keyPair).setCertificate(k.certificate));
          return builder.build();
        });
  }

  private IdentityProvider identity() {
    if (settings.username().isPresent()) {
      return new UsernameProvider(settings.username().get(), settings.password().orElse(""));
    }
    return new AnonymousProvider();
  }

  private record KeyMaterial(KeyPair keyPair, X509Certificate certificate,
      String applicationUri) {}

  private KeyMaterial loadKeys() throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    char[] password = settings.certificatePassword().orElse("").toCharArray();
    try (InputStream in = Files.newInputStream(settings.certificate().orElseThrow())) {
      store.load(in, password);
    }
    for (String alias : Collections.list(store.aliases())) {
      Key key = store.getKey(alias, password);
      if (key instanceof PrivateKey privateKey) {
        X509Certificate cert = (X509Certificate) store.getCertificate(alias);
        String uri = CertificateUtil.getSanUri(cert).orElse("urn:sluice:gateway");
        return new KeyMaterial(new KeyPair(cert.getPublicKey(), privateKey), cert, uri);
      }
    }
    throw new IllegalArgumentException("certificate " + settings.certificate().get()
        + " holds no private key");
  }

  /** Node ids and names of the configured nodes, read from the server. */
  private List<Resolved> resolve(OpcUaClient c) throws Exception {
    List<Resolved> out = new ArrayList<>();
    for (OpcUaSourceSettings.Node node : settings.nodes()) {
      NodeId id;
      String parent = null;
      if (node.nodeId() != null) {
        id = NodeId.parse(node.nodeId());
      } else {
        List<String> names = new ArrayList<>(List.of(node.browsePath().split("/")));
        if (!names.isEmpty() && names.get(0).equals("Objects")) {
          names.remove(0);
        }
        List<RelativePathElement> elements = new ArrayList<>();
        for (String name : names) {
          elements.add(new RelativePathElement(Identifiers.HierarchicalReferences, false, true,
              qualified(name)));
        }
        BrowsePathResult result = c.translateBrowsePaths(List.of(new BrowsePath(
            Identifiers.ObjectsFolder, new RelativePath(elements.toArray(
                RelativePathElement[]::new))))).get(10, TimeUnit.SECONDS).getResults()[0];
        if (!result.getStatusCode().isGood() || result.getTargets() == null
            || result.getTargets().length == 0) {
          log.error("OPC UA source {}: browse path {} names no node on {} ({}); it is skipped",
              settings.source(), node.browsePath(), settings.endpoint(),
              statusName(result.getStatusCode()));
          continue;
        }
        id = result.getTargets()[0].getTargetId().toNodeId(c.getNamespaceTable()).orElseThrow();
        if (names.size() >= 2) {
          parent = qualified(names.get(names.size() - 2)).getName();
        }
      }
      String metric = node.metric() != null ? node.metric() : browseName(c, id);
      String device = node.device() != null ? node.device()
          : parent != null ? parent : parentName(c, id);
      out.add(new Resolved(node, id, device, metric));
    }
    return out;
  }

  private static QualifiedName qualified(String name) {
    int colon = name.indexOf(':');
    if (colon > 0 && name.substring(0, colon).chars().allMatch(Character::isDigit)) {
      return new QualifiedName(Integer.parseInt(name.substring(0, colon)),
          name.substring(colon + 1));
    }
    return new QualifiedName(0, name);
  }

  private static String browseName(OpcUaClient c, NodeId id) throws Exception {
    DataValue v = c.read(0, TimestampsToReturn.Neither, List.of(new ReadValueId(id,
        AttributeId.BrowseName.uid(), null, QualifiedName.NULL_VALUE)))
        .get(10, TimeUnit.SECONDS).getResults()[0];
    Object name = v.getValue().getValue();
    return name instanceof QualifiedName q ? q.getName() : id.toParseableString();
  }

  private static String parentName(OpcUaClient c, NodeId id) throws Exception {
    BrowseResult result = c.browse(new ViewDescription(NodeId.NULL_VALUE, null, uint(0)),
        uint(1), List.of(new BrowseDescription(id, BrowseDirection.Inverse,
            Identifiers.HierarchicalReferences, true, uint(NodeClass.Object.getValue()),
            uint(BrowseResultMask.All.getValue())))).get(10, TimeUnit.SECONDS).getResults()[0];
    ReferenceDescription[] refs = result.getReferences();
    return refs != null && refs.length > 0 ? refs[0].getBrowseName().getName()
        : id.toParseableString();
  }

  private void subscribe(OpcUaClient c) throws Exception {
    double sampling = settings.samplingInterval().toMillis();
    UaSubscription sub = c.getSubscriptionManager().createSubscription(sampling)
        .get(10, TimeUnit.SECONDS);
    List<Resolved> nodes = resolved;
    List<MonitoredItemCreateRequest> requests = new ArrayList<>();
    for (Resolved r : nodes) {
      ExtensionObject filter = settings.deadband() > 0
          ? ExtensionObject.encode(c.getStaticSerializationContext(), new DataChangeFilter(
              DataChangeTrigger.StatusValue, uint(DeadbandType.Absolute.getValue()),
              settings.deadband()))
          : null;
      requests.add(new MonitoredItemCreateRequest(
          new ReadValueId(r.id, AttributeId.Value.uid(), null, QualifiedName.NULL_VALUE),
          MonitoringMode.Reporting, new MonitoringParameters(sub.nextClientHandle(), sampling,
              filter, uint(settings.queueSize()), true)));
    }
    List<UaMonitoredItem> items = sub.createMonitoredItems(TimestampsToReturn.Both, requests,
        (item, index) -> {
          Resolved r = nodes.get(index);
          item.setValueConsumer(value -> onValue(r, value));
        }).get(10, TimeUnit.SECONDS);
    for (int i = 0; i < items.size(); i++) {
      if (!items.get(i).getStatusCode().isGood()) {
        log.error("OPC UA source {}: node {} cannot be monitored: {}", settings.source(),
            nodes.get(i).node.describe(), statusName(items.get(i).getStatusCode()));
      }
    }
    subscription = sub;
    paused = false;
  }

  private void onValue(Resolved r, DataValue value) {
    values.increment();
    long received = clock.millis();
    long time = value.getSourceTime() != null && value.getSourceTime().getJavaTime() > 0
        ? value.getSourceTime().getJavaTime()
        : value.getServerTime() != null && value.getServerTime().getJavaTime() > 0
            ? value.getServerTime().getJavaTime() : received;
    StatusCode status = value.getStatusCode() == null ? StatusCode.GOOD : value.getStatusCode();
    Object raw = value.getValue() == null ? null : value.getValue().getValue();
    Double number = raw instanceof Boolean b ? (b ? 1.0 : 0.0)
        : raw instanceof Number n ? n.doubleValue() : null;
    byte[] json = json(r, number, raw, time, statusName(status));
    if (status.isBad() && settings.badStatusToDlq()) {
      deadLetter(r, json, DeadLetterType.SCHEMA_VIOLATION, "node " + r.node.describe()
          + " reported status " + statusName(status), received);
      return;
    }
    if (number == null) {
      if (status.isBad()) {
        // flagged bad values carry no value: nothing to read
        deadLetter(r, json, DeadLetterType.MISSING_FIELD, "node " + r.node.describe()
            + " reported status " + statusName(status) + " without a value", received);
      } else {
        deadLetter(r, json, DeadLetterType.WRONG_TYPE, "node " + r.node.describe() + " holds "
            + (raw == null ? "no value" : "a " + raw.getClass().getSimpleName() + " ("
                + raw + ")") + ", not a number or boolean", received);
      }
      return;
    }
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(settings.kafkaTopic(), null,
        r.device.getBytes(StandardCharsets.UTF_8), json);
    RecordHeaders.stampIngested(record.headers(), null, received, settings.source(), r.device);
    enqueue(record);
  }

  private void enqueue(ProducerRecord<byte[], byte[]> record) {
    if (!buffer.offer(record)) {
      dropped.increment();
    }
    if (!paused && buffer.remainingCapacity() == 0) {
      setPublishing(false);
    }
  }

  private void setPublishing(boolean on) {
    UaSubscription sub = subscription;
    if (sub == null) {
      return;
    }
    paused = !on;
    sub.setPublishingMode(on);
    log.info("OPC UA source {}: {} publishing ({} values waiting for Kafka)", settings.source(),
        on ? "resumed" : "paused", buffer.size());
  }

  private void sendLoop() {
    while (true) {
      ProducerRecord<byte[], byte[]> record;
      try {
        record = buffer.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (record == null) {
        if (closing) {
          return;
        }
        continue;
      }
      try {
        producer.send(record, (meta, error) -> {
          if (error == null) {
            written.increment();
          } else if (KafkaErrors.permanent(error).filter(x ->
              !record.topic().equals(settings.deadLetterTopic())).isPresent()) {
            // refused for good (too large, say): its dead letter goes instead
            byte[] value = record.value() == null ? new byte[0] : record.value();
            String why = KafkaErrors.permanent(error).orElseThrow();
            deadLetterRecord(record, value, why, "Kafka refused the reading for good (" + why
                + ": " + error.getMessage() + ")");
          } else {
            kafkaLost.increment();
            log.error("OPC UA source {}: Kafka refused a reading, which is lost: {}",
                settings.source(), error.getMessage());
          }
        });
      } catch (RuntimeException e) {
        kafkaLost.increment();
        log.error("OPC UA source {}: Kafka refused a reading, which is lost: {}",
            settings.source(), e.getMessage());
      }
      if (paused && buffer.size() <= settings.bufferSize() / 2) {
        setPublishing(true);
      }
    }
  }

  /** The dead letter of a reading Kafka refused for good, with its first 16 KiB. */
  private void deadLetterRecord(ProducerRecord<byte[], byte[]> refused, byte[] value,
      String why, String reason) {
    byte[] kept = value.length <= 16 * 1024 ? value : java.util.Arrays.copyOf(value, 16 * 1024);
    var headers = new org.apache.kafka.common.header.internals.RecordHeaders(
        refused.headers().toArray());
    headers.add(RecordHeaders.PAYLOAD_SIZE,
        Integer.toString(value.length).getBytes(StandardCharsets.UTF_8));
    DeadLetter dead = io.sluice.schemas.DeadLetters.of(refused.key(), kept, headers,
        "opcua:" + settings.endpoint(), -1, -1, why.equals("record-too-large")
            ? DeadLetterType.OVERSIZED : DeadLetterType.PROCESSING_ERROR, reason,
        Instant.ofEpochMilli(clock.millis()));
    ConnectorMeters.RELAY_PERMANENT_ERRORS.counter(registry, "relay", "opcua", "reason", why)
        .increment();
    log.warn("OPC UA source {}: dead letter: {}", settings.source(), reason);
    enqueue(new ProducerRecord<>(settings.deadLetterTopic(), null, refused.key(),
        AvroSerdes.deadLetter().serializer().serialize(settings.deadLetterTopic(), dead)));
  }

  private void deadLetter(Resolved r, byte[] raw, DeadLetterType type, String reason,
      long at) {
    deadLetters.computeIfAbsent(type.name(), t -> ConnectorMeters.OPCUA_DEAD_LETTERS.counter(
        registry, "source", settings.source(), "reason", t)).increment();
    log.warn("OPC UA source {}: dead letter: {}", settings.source(), reason);
    var headers = new org.apache.kafka.common.header.internals.RecordHeaders();
    headers.add(RecordHeaders.SOURCE, settings.source().getBytes(StandardCharsets.UTF_8));
    headers.add("opcua.node", r.node.describe().getBytes(StandardCharsets.UTF_8));
    DeadLetter dead = io.sluice.schemas.DeadLetters.of(r.device.getBytes(StandardCharsets.UTF_8),
        raw, headers, "opcua:" + settings.endpoint(), -1, -1, type, reason,
        Instant.ofEpochMilli(at));
    byte[] bytes = AvroSerdes.deadLetter().serializer().serialize(settings.deadLetterTopic(),
        dead);
    enqueue(new ProducerRecord<>(settings.deadLetterTopic(), null,
        settings.source().getBytes(StandardCharsets.UTF_8), bytes));
  }

  private static byte[] json(Resolved r, Double number, Object raw, long time, String status) {
    StringBuilder b = new StringBuilder(128).append("{\"deviceId\":");
    quote(b, r.device).append(",\"metric\":");
    quote(b, r.metric).append(",\"value\":");
    if (number != null && Double.isFinite(number)) {
      b.append(number);
    } else if (raw == null) {
      b.append("null");
    } else {
      quote(b, String.valueOf(raw));
    }
    b.append(",\"timestamp\":").append(time).append(",\"opcua.status\":");
    quote(b, status).append(",\"opcua.node\":");
    quote(b, r.id.toParseableString());
    return b.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  static String statusName(StatusCode status) {
    return StatusCodes.lookup(status.getValue()).map(n -> n[0])
        .orElse(String.format("0x%08X", status.getValue()));
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof ExecutionException || t instanceof CompletionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static boolean isSecurityRefusal(Throwable t) {
    return t instanceof UaException u && (u.getStatusCode().getValue()
        == StatusCodes.Bad_SecurityChecksFailed
        || u.getStatusCode().getValue() == StatusCodes.Bad_CertificateUntrusted);
  }

  private String describe(Throwable t) {
    if (isSecurityRefusal(t)) {
      return "the server's certificate is not trusted (" + ((UaException) t).getMessage()
          + "). If it is the right server, move its certificate from "
          + settings.trustDir().resolve("rejected") + " to "
          + settings.trustDir().resolve("trusted").resolve("certs");
    }
    if (t instanceof TimeoutException) {
      return "no answer within the timeout";
    }
    String message = t.getMessage();
    return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /**
   * Stops taking values, writes what the buffer holds to the producer (up to 5 s), and
   * disconnects. The producer is the caller's to flush and close. Idempotent.
   */
  @Override
  public void close() {
    if (state == State.CLOSED) {
      return;
    }
    closing = true;
    scheduler.shutdownNow();
    OpcUaClient c = client;
    if (c != null) {
      try {
        c.disconnect().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.debug("OPC UA source {}: disconnect failed: {}", settings.source(), e.toString());
      }
    }
    try {
      sender.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!buffer.isEmpty()) {
      log.warn("OPC UA source {}: {} values were still waiting for Kafka at shutdown and are"
          + " lost", settings.source(), buffer.size());
    }
    state = State.CLOSED;
    log.info("OPC UA source {} closed", settings.source());
  }
}
