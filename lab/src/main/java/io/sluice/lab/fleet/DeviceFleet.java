package io.sluice.lab.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated fleet of devices publishing over MQTT at QoS 1: text notes on
 * {@code plant/<device>/notes}, sensor readings on {@code plant/<device>/sensors/<metric>}, and a
 * share of malformed payloads of every kind the gateway must dead-letter.
 *
 * <p>Pacing: a tick every 10 ms publishes however many events the target rate says are due since
 * the start, so the rate holds on average without sleeping per message. An event counts as
 * published when the broker acknowledged it (PUBACK).
 */
public final class DeviceFleet implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DeviceFleet.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] METRICS = {"temperature", "vibration_rms", "pressure", "current"};
  private static final String[] UNITS = {"C", "mm/s", "bar", "A"};
  private static final double[] BASE = {65, 2.5, 6, 12};

  private final MqttAsyncClient client;
  private final String idPrefix;
  private final boolean distinctTexts;
  private final FleetSettings settings;
  private final List<String> texts;
  private final Clock clock;
  private final RandomGenerator random;
  private final ScheduledExecutorService ticker;
  private final Semaphore inFlight = new Semaphore(500);
  private final AtomicLong issued = new AtomicLong();
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong publishedBad = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile long startMillis;
  private volatile boolean stopped;

  public DeviceFleet(String mqttUrl, FleetSettings settings, List<String> texts, Clock clock,
      RandomGenerator random) {
    this(mqttUrl, settings, texts, clock, random, "sim-");
  }

  /**
   * @param idPrefix prefix of the event ids, so that several fleets in one run never collide
   */
  public DeviceFleet(String mqttUrl, FleetSettings settings, List<String> texts, Clock clock,
      RandomGenerator random, String idPrefix) {
    this(mqttUrl, settings, texts, clock, random, idPrefix, false);
  }

  /**
   * @param idPrefix prefix of the event ids, so that several fleets in one run never collide
   * @param distinctTexts whether each note starts with its own work-order number
   *     ({@code WO <event id>: ...}), so that no two notes are the same text and a result cache
   *     never answers
   */
  public DeviceFleet(String mqttUrl, FleetSettings settings, List<String> texts, Clock clock,
      RandomGenerator random, String idPrefix, boolean distinctTexts) {
    this.distinctTexts = distinctTexts;
    this.idPrefix = idPrefix;
    this.settings = settings;
    this.texts = List.copyOf(texts);
    this.clock = clock;
    this.random = random;
    try {
      this.client = new MqttAsyncClient(mqttUrl, "sluice-fleet-" + idPrefix.replace("-", ""),
          new MemoryPersistence());
    } catch (MqttException e) {
      throw new IllegalStateException("Cannot create the fleet's MQTT client: " + e, e);
    }
    this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sluice-demo-fleet");
      t.setDaemon(true);
      return t;
    });
  }

  public void start() {
    try {
      MqttConnectionOptions options = new MqttConnectionOptions();
      options.setCleanStart(true);
      options.setAutomaticReconnect(true);
      client.connect(options).waitForCompletion(30_000);
    } catch (MqttException e) {
      throw new IllegalStateException("The simulated fleet cannot connect to MQTT: " + e, e);
    }
    startMillis = clock.millis();
    ticker.scheduleAtFixedRate(this::tick, 0, 10, TimeUnit.MILLISECONDS);
  }

  /** Stops publishing; what is in flight may still be acknowledged. */
  public void stop() {
    stopped = true;
    ticker.shutdown();
    try {
      ticker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until every publish in flight is acknowledged or failed. */
  public boolean awaitInFlight(long timeoutMillis) throws InterruptedException {
    if (inFlight.tryAcquire(500, timeoutMillis, TimeUnit.MILLISECONDS)) {
      inFlight.release(500);
      return true;
    }
    return false;
  }

  /** Events the broker acknowledged. */
  public long published() {
    return published.get();
  }

  /** Of those, deliberately malformed ones. */
  public long publishedBad() {
    return publishedBad.get();
  }

  public long failed() {
    return failed.get();
  }

  @Override
  public void close() {
    stop();
    try {
      if (client.isConnected()) {
        client.disconnect(1_000).waitForCompletion(5_000);
      }
      client.close(true);
    } catch (MqttException e) {
      log.debug("Fleet disconnect failed: {}", e.toString());
    }
  }

  private void tick() {
    if (stopped) {
      return;
    }
    long due = (long) ((clock.millis() - startMillis) * settings.ratePerSecond() / 1000.0);
    while (!stopped && issued.get() < due && inFlight.tryAcquire()) {
      long n = issued.getAndIncrement();
      publishOne(n);
    }
  }

  private void publishOne(long n) {
    int device = (int) (n % settings.devices());
    String deviceId = "machine-" + (device + 1);
    double roll = random.nextDouble();
    boolean bad = roll < settings.badShare();
    boolean text = !bad && random.nextDouble() < settings.textShare();
    String topic;
    byte[] payload;
    if (bad) {
      topic = "plant/" + deviceId + "/notes";
      payload = badPayload(n);
    } else if (text) {
      topic = "plant/" + deviceId + "/notes";
      ObjectNode node = JSON.createObjectNode();
      node.put("eventId", idPrefix + n);
      String note = texts.get(random.nextInt(texts.size()));
      node.put("text", distinctTexts ? "WO " + idPrefix + n + ": " + note : note);
      node.put("timestamp", clock.millis());
      node.put("shift", random.nextBoolean() ? "day" : "night");
      payload = node.toString().getBytes(StandardCharsets.UTF_8);
    } else {
      int m = (int) ((n / settings.devices()) % METRICS.length);
      topic = "plant/" + deviceId + "/sensors/" + METRICS[m];
      double t = (clock.millis() - startMillis) / 1000.0;
      double value = BASE[m] * (1 + 0.05 * Math.sin(t / 30 + device))
          + random.nextGaussian() * BASE[m] * 0.01;
      ObjectNode node = JSON.createObjectNode();
      node.put("eventId", idPrefix + n);
      node.put("metric", METRICS[m]);
      node.put("value", Math.round(value * 1000) / 1000.0);
      node.put("unit", UNITS[m]);
      node.put("timestamp", clock.millis());
      payload = node.toString().getBytes(StandardCharsets.UTF_8);
    }
    MqttMessage message = new MqttMessage(payload);
    message.setQos(1);
    try {
      client.publish(topic, message, null, new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          published.incrementAndGet();
          if (bad) {
            publishedBad.incrementAndGet();
          }
          inFlight.release();
        }

        @Override
        public void onFailure(IMqttToken token, Throwable e) {
          failed.incrementAndGet();
          inFlight.release();
        }
      });
    } catch (MqttException e) {
      failed.incrementAndGet();
      inFlight.release();
    }
  }

  private byte[] badPayload(long n) {
    return switch ((int) (n % 5)) {
      case 0 -> "{\"eventId\":\"bad\",\"text\":\"cut off".getBytes(StandardCharsets.UTF_8);
      case 1 -> "{\"eventId\":\"bad\",\"note\":\"no text field\"}".getBytes(StandardCharsets.UTF_8);
      case 2 -> "{\"text\":12345}".getBytes(StandardCharsets.UTF_8);
      case 3 -> new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xFF, '"', '}'};
      default -> ("{\"text\":\"" + "x".repeat(70_000) + "\"}").getBytes(StandardCharsets.UTF_8);
    };
  }
}
