package io.sluice.connectors.testing;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/** Test devices: MQTT publishers of numbered messages. */
public final class Publishers {

  private Publishers() {}

  /** The payload of message {@code seq} of {@code device}. */
  public static String payload(String device, int seq) {
    return "{\"device\":\"" + device + "\",\"seq\":" + seq + "}";
  }

  public static String topic(String device) {
    return "plant/" + device + "/notes";
  }

  /** An MQTT 5 publisher, connected. */
  public static MqttClient v5(String url, String clientId) throws MqttException {
    MqttClient client = new MqttClient(url, clientId, new MemoryPersistence());
    client.setTimeToWait(10_000);
    client.connect(new MqttConnectionOptions());
    return client;
  }

  /** Publishes {@code perDevice} messages for each device, QoS 1, interleaved. */
  public static void publish(MqttClient client, List<String> devices, int perDevice)
      throws MqttException {
    for (int i = 0; i < perDevice; i++) {
      for (String device : devices) {
        MqttMessage m = new MqttMessage(payload(device, i).getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        publishRetryingWhenFull(client, topic(device), m);
      }
    }
  }

  /**
   * Paho counts a publish as in flight until its completion callback has run, a moment after the
   * synchronous call returned; the next publish can then find the broker's receive maximum (20
   * for Mosquitto) reached and fail with 32202 (too many publishes in progress). Try again until
   * the slot frees.
   */
  public static void publishRetryingWhenFull(MqttClient client, String topic, MqttMessage m)
      throws MqttException {
    try {
      client.publish(topic, m);
    } catch (MqttException e) {
      if (e.getReasonCode() != 32202) {
        throw e;
      }
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
          .ignoreExceptionsMatching(x -> x instanceof MqttException me
              && me.getReasonCode() == 32202)
          .until(() -> {
            client.publish(topic, m);
            return true;
          });
    }
  }

  /** MQTT 3.1.1 publishing with Paho's v3 client, as older devices do. */
  public static void publishV311(String url, String clientId, List<String> devices,
      int perDevice) throws org.eclipse.paho.client.mqttv3.MqttException {
    org.eclipse.paho.client.mqttv3.MqttClient client =
        new org.eclipse.paho.client.mqttv3.MqttClient(url, clientId,
            new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
    org.eclipse.paho.client.mqttv3.MqttConnectOptions options =
        new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
    options.setMqttVersion(org.eclipse.paho.client.mqttv3.MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setMaxInflight(1_000);
    client.setTimeToWait(10_000);
    client.connect(options);
    try {
      for (int i = 0; i < perDevice; i++) {
        for (String device : devices) {
          client.publish(topic(device), payload(device, i).getBytes(StandardCharsets.UTF_8), 1,
              false);
        }
      }
      client.disconnect();
    } finally {
      client.close();
    }
  }

  /**
   * A device that keeps publishing through broker restarts: each message is published at QoS 1
   * until the broker acknowledges it, reconnecting as needed (a retried message may arrive
   * twice, none is skipped). Runs in the background; {@link #published()} counts acknowledged
   * messages.
   */
  public static final class Resilient {
    private final String url;
    private final String clientId;
    private final List<String> devices;
    private final int perDevice;
    private final AtomicInteger published = new AtomicInteger();
    private volatile boolean stop;
    private CompletableFuture<Void> done;

    public Resilient(String url, String clientId, List<String> devices, int perDevice) {
      this.url = url;
      this.clientId = clientId;
      this.devices = devices;
      this.perDevice = perDevice;
    }

    public Resilient start() {
      done = CompletableFuture.runAsync(this::run);
      return this;
    }

    public int published() {
      return published.get();
    }

    public int total() {
      return devices.size() * perDevice;
    }

    public CompletableFuture<Void> done() {
      return done;
    }

    public void stop() {
      stop = true;
    }

    private void run() {
      MqttClient[] client = {null};
      try {
        for (int i = 0; i < perDevice && !stop; i++) {
          for (String device : devices) {
            MqttMessage m = new MqttMessage(payload(device, i).getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .pollDelay(Duration.ZERO).until(() -> {
                  try {
                    if (client[0] == null || !client[0].isConnected()) {
                      close(client[0]);
                      client[0] = v5(url, clientId);
                    }
                    client[0].publish(topic(device), m);
                    return true;
                  } catch (MqttException e) {
                    return false;
                  }
                });
            published.incrementAndGet();
          }
        }
      } finally {
        close(client[0]);
      }
    }

    private static void close(MqttClient c) {
      if (c == null) {
        return;
      }
      try {
        if (c.isConnected()) {
          c.disconnect();
        }
      } catch (MqttException ignored) {
        // gone already
      }
      try {
        c.close(true);
      } catch (MqttException ignored) {
        // idem
      }
    }
  }
}
