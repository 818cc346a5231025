package io.sluice.connectors.bench;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.connectors.KafkaCluster;
import io.sluice.connectors.embedded.EmbeddedKafka;
import io.sluice.connectors.embedded.EmbeddedMqttBroker;
import io.sluice.connectors.embedded.LocalMqttBroker;
import io.sluice.connectors.embedded.MosquittoBroker;
import io.sluice.connectors.embedded.TopicAdmin;
import io.sluice.connectors.link.CloudLink;
import io.sluice.connectors.link.CloudLinkSettings;
import io.sluice.connectors.link.LinkRoute;
import io.sluice.connectors.mqtt.MqttIngress;
import io.sluice.connectors.mqtt.MqttIngressSettings;
import io.sluice.connectors.mqtt.MqttSubscription;
import io.sluice.connectors.testing.Kafkas;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * Throughput of the connectors, alternatives side by side in one run, each repeated and
 * reported as the median:
 *
 * <ul>
 *   <li>{@code ingress}: MQTT to Kafka with nothing lost. Messages are queued for the gateway's
 *       session while it is away, then the ingress drains them into Kafka; the time from start
 *       to the last acknowledgement gives messages/s, and the Kafka topic must hold every
 *       message. Brokers: embedded Artemis (in memory) and Mosquitto (if installed); receive
 *       maximum 100, 1,000 and 10,000.
 *   <li>{@code link}: gateway Kafka to cloud Kafka. A preloaded topic is moved by a fresh route;
 *       records/s from the first record moved to the last, and the bytes the cloud stores per
 *       record. Compression zstd, lz4 and none; linger 5 and 50 ms.
 * </ul>
 *
 * <p>Usage: {@code ConnectorBench [ingress|link|all] [--messages N] [--records N] [--repeats R]
 * [--data DIR]}. Progress goes to stderr; the last stdout line is one JSON object. Not a unit
 * test: run it by hand (see docs/BENCHMARKS.md), on an otherwise quiet machine if possible.
 */
public final class ConnectorBench {

  private ConnectorBench() {}

  public static void main(String[] args) throws Exception {
    String what = args.length > 0 && !args[0].startsWith("--") ? args[0] : "all";
    int messages = intArg(args, "--messages", 20_000);
    int records = intArg(args, "--records", 100_000);
    int repeats = intArg(args, "--repeats", 3);
    Path data = Path.of(stringArg(args, "--data", "../shared/data/maintie"));
    quietLogs();
    List<String> texts = texts(data);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("machine", Runtime.getRuntime().availableProcessors() + " cores, shared");
    out.put("texts", texts.size() + (Files.isDirectory(data) ? " MaintIE texts" : " built-in"));
    try (EmbeddedKafka gateway = EmbeddedKafka.start()) {
      if (what.equals("ingress") || what.equals("all")) {
        out.put("ingress", ingress(gateway, texts, messages, repeats));
      }
      if (what.equals("link") || what.equals("all")) {
        try (EmbeddedKafka cloud = EmbeddedKafka.start()) {
          out.put("link", link(gateway, cloud, texts, records, repeats));
        }
      }
    }
    System.out.println(json(out));
    System.exit(0);
  }

  // ---------------------------------------------------------------- ingress

  private static Map<String, Object> ingress(EmbeddedKafka kafka, List<String> texts,
      int messages, int repeats) throws Exception {
    Map<String, Object> results = new LinkedHashMap<>();
    Path tmp = Files.createTempDirectory("sluice-bench-");
    List<LocalMqttBroker> brokers = new ArrayList<>();
    brokers.add(EmbeddedMqttBroker.start());
    if (MosquittoBroker.binary().isPresent()) {
      brokers.add(MosquittoBroker.start(tmp.resolve("mosquitto"), 0));
    } else {
      progress("Mosquitto not installed: ingress measured on the embedded broker only");
    }
    int[] receiveMaximums = {100, 1_000, 10_000};
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    try (KafkaProducer<byte[], byte[]> producer = Kafkas.producer(kafka.bootstrapServers())) {
      int run = 0;
      for (int r = 0; r < repeats; r++) {
        for (LocalMqttBroker broker : brokers) {
          for (int max : receiveMaximums) {
            String name = (broker instanceof MosquittoBroker ? "mosquitto" : "artemis-memory")
                + " receiveMaximum=" + max;
            String topic = "bench.in." + run++;
            kafka.createTopics(Map.of(topic, 3));
            double rate = drain(broker, kafka, producer, topic, max, texts, messages);
            rates.computeIfAbsent(name, k -> new ArrayList<>()).add(rate);
            progress(String.format(Locale.ROOT, "ingress %-36s %,10.0f msg/s", name, rate));
          }
        }
      }
    } finally {
      brokers.forEach(LocalMqttBroker::close);
    }
    rates.forEach((name, values) -> results.put(name, summary(values)));
    results.put("messages_per_run", messages);
    results.put("repeats", repeats);
    return results;
  }

  /** Queues {@code n} messages for an absent gateway, then times the ingress draining them. */
  private static double drain(LocalMqttBroker broker, EmbeddedKafka kafka,
      KafkaProducer<byte[], byte[]> producer, String topic, int receiveMaximum,
      List<String> texts, int n) throws Exception {
    String clientId = "bench-" + topic;
    MqttIngressSettings settings = MqttIngressSettings.of(broker.url(), clientId,
            List.of(new MqttSubscription("notes", "plant/+/notes", 1, topic, -1)))
        .withReceiveMaximum(receiveMaximum);
    try (MqttIngress first = new MqttIngress(settings, producer, new SimpleMeterRegistry(),
        Clock.systemUTC())) {
      first.start();
      await(() -> first.state() == MqttIngress.State.CONNECTED ? 1 : 0, 1, 30);
    }
    publish(broker.url(), clientId + "-devices", texts, n);
    MeterRegistry registry = new SimpleMeterRegistry();
    long start = System.nanoTime();
    try (MqttIngress ingress = new MqttIngress(settings, producer, registry,
        Clock.systemUTC())) {
      ingress.start();
      await(() -> (long) registry.get("sluice.mqtt.acknowledged").counter().count(), n, 300);
      long elapsed = System.nanoTime() - start;
      long inKafka = Kafkas.count(kafka.bootstrapServers(), topic);
      if (inKafka < n) {
        throw new IllegalStateException("lost messages: " + n + " published, " + inKafka
            + " in Kafka");
      }
      return n / (elapsed / 1e9);
    }
  }

  private static void publish(String url, String clientId, List<String> texts, int n)
      throws Exception {
    MqttAsyncClient client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
    IMqttToken connected = client.connect(new MqttConnectionOptions());
    connected.waitForCompletion(10_000);
    Integer serverMax = connected.getResponseProperties() == null ? null
        : connected.getResponseProperties().getReceiveMaximum();
    int size = Math.min(serverMax == null ? 1_000 : serverMax, 1_000);
    Semaphore window = new Semaphore(size);
    MqttActionListener release = new MqttActionListener() {
      @Override
      public void onSuccess(IMqttToken token) {
        window.release();
      }

      @Override
      public void onFailure(IMqttToken token, Throwable error) {
        window.release();
      }
    };
    for (int i = 0; i < n; i++) {
      String device = "dev-" + (i % 10);
      String payload = "{\"eventId\":\"" + device + "-" + i + "\",\"device\":\"" + device
          + "\",\"text\":\"" + texts.get(i % texts.size()) + "\"}";
      MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
      m.setQos(1);
      window.acquire();
      client.publish("plant/" + device + "/notes", m, null, release);
    }
    window.acquire(size); // every publish acknowledged by the broker
    client.disconnect().waitForCompletion(30_000);
    client.close();
  }

  // ---------------------------------------------------------------- link

  private static Map<String, Object> link(EmbeddedKafka gateway, EmbeddedKafka cloud,
      List<String> texts, int n, int repeats) throws Exception {
    String source = "bench.forward";
    gateway.createTopics(Map.of(source, 3));
    try (KafkaProducer<byte[], byte[]> producer = Kafkas.producer(gateway.bootstrapServers())) {
      for (int i = 0; i < n; i++) {
        String device = "dev-" + (i % 50);
        String value = "{\"eventId\":\"gw-1-" + i + "\",\"source\":\"notes\",\"reason\":"
            + "\"LOW_CONFIDENCE\",\"label\":\"electrical\",\"confidence\":0."
            + (100 + i % 900) + ",\"device\":\"" + device + "\",\"text\":\""
            + texts.get(i % texts.size()) + "\"}";
        producer.send(new ProducerRecord<>(source, device.getBytes(StandardCharsets.UTF_8),
            value.getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
    long sourceBytes = storedBytes(gateway.bootstrapServers(), source);
    progress(String.format(Locale.ROOT, "link source: %,d records, %,d bytes stored", n,
        sourceBytes));
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    Map<String, Long> bytesPerRecord = new LinkedHashMap<>();
    String[][] variants = {{"zstd", "50"}, {"zstd", "5"}, {"lz4", "50"}, {"lz4", "5"},
        {"none", "50"}, {"none", "5"}};
    int run = 0;
    for (int r = 0; r < repeats; r++) {
      for (String[] v : variants) {
        String name = "compression=" + v[0] + " linger=" + v[1] + "ms";
        String target = "bench.cloud." + run++;
        cloud.createTopics(Map.of(target, 3));
        CloudLinkSettings settings = CloudLinkSettings.of("bench-" + target,
                List.of(KafkaCluster.of("gateway", gateway.bootstrapServers()),
                    KafkaCluster.of("cloud", cloud.bootstrapServers())),
                List.of(new LinkRoute("forward", "gateway", source, "cloud", target)))
            .withBatching(v[0], Duration.ofMillis(Long.parseLong(v[1])), 256 * 1024);
        double rate;
        try (CloudLink link = new CloudLink(settings, new SimpleMeterRegistry(),
            Clock.systemUTC())) {
          link.start();
          await(() -> link.route("forward").moved(), 1, 60);
          long first = System.nanoTime();
          long movedAtFirst = link.route("forward").moved();
          await(() -> link.route("forward").moved(), n, 300);
          rate = (n - movedAtFirst) / ((System.nanoTime() - first) / 1e9);
        }
        rates.computeIfAbsent(name, k -> new ArrayList<>()).add(rate);
        long stored = storedBytes(cloud.bootstrapServers(), target);
        bytesPerRecord.put(name, stored / n);
        progress(String.format(Locale.ROOT, "link %-30s %,10.0f records/s, %,d bytes stored in"
            + " the cloud (%.0f per record)", name, rate, stored, stored / (double) n));
      }
    }
    Map<String, Object> results = new LinkedHashMap<>();
    rates.forEach((name, values) -> {
      Map<String, Object> s = summary(values);
      s.put("cloud_bytes_per_record", bytesPerRecord.get(name));
      results.put(name, s);
    });
    results.put("records_per_run", n);
    results.put("source_bytes_per_record", sourceBytes / n);
    results.put("repeats", repeats);
    return results;
  }

  /** Bytes the broker stores for {@code topic}, all partitions (the log segment sizes). */
  private static long storedBytes(String bootstrap, String topic) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      int broker = admin.describeCluster().nodes().get().iterator().next().id();
      return admin.describeLogDirs(List.of(broker)).allDescriptions().get().get(broker)
          .values().stream().flatMap(d -> d.replicaInfos().entrySet().stream())
          .filter(e -> e.getKey().topic().equals(topic))
          .mapToLong(e -> e.getValue().size()).sum();
    }
  }

  // ---------------------------------------------------------------- helpers

  private static void await(LongSupplier value, long target, int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (value.getAsLong() < target) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out at " + value.getAsLong() + " of " + target);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  private static Map<String, Object> summary(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("median", Math.round(sorted.get(sorted.size() / 2)));
    s.put("runs", values.stream().map(Math::round).toList());
    return s;
  }

  private static List<String> texts(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    Path train = dir.resolve("train.json");
    if (Files.isRegularFile(train)) {
      Matcher m = Pattern.compile("\"text\": \"([^\"\\\\]*)\"").matcher(Files.readString(train));
      while (m.find()) {
        out.add(m.group(1));
      }
    }
    if (out.isEmpty()) {
      out.addAll(List.of("breaker tripped on line 3", "bearing noise on pump 7",
          "air conditioner thermostat not working", "replace hydraulic hose on press 2",
          "conveyor belt misaligned near station 4", "oil leak under gearbox"));
    }
    return out;
  }

  private static void quietLogs() {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
        org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(ch.qos.logback.classic.Level.ERROR);
  }

  private static void progress(String line) {
    System.err.println(line);
  }

  private static int intArg(String[] args, String name, int fallback) {
    return Integer.parseInt(stringArg(args, name, Integer.toString(fallback)));
  }

  private static String stringArg(String[] args, String name, String fallback) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }

  @SuppressWarnings("unchecked")
  private static String json(Object o) {
    if (o instanceof Map<?, ?> map) {
      List<String> parts = new ArrayList<>();
      ((Map<String, Object>) map).forEach((k, v) -> parts.add("\"" + k + "\":" + json(v)));
      return "{" + String.join(",", parts) + "}";
    }
    if (o instanceof List<?> list) {
      return "[" + String.join(",", list.stream().map(ConnectorBench::json).toList()) + "]";
    }
    if (o instanceof Number || o instanceof Boolean) {
      return o.toString();
    }
    return "\"" + o.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
