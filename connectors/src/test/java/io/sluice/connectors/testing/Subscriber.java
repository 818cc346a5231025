package io.sluice.connectors.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * A test device that listens: subscribes at QoS 1 with a session the broker keeps (so it misses
 * nothing across broker restarts; Paho reconnects it) and records every message by topic.
 */
public final class Subscriber implements AutoCloseable {

  private final MqttAsyncClient client;
  private final Map<String, List<String>> byTopic = new ConcurrentHashMap<>();
  private final List<String> all = new CopyOnWriteArrayList<>();

  public Subscriber(String url, String clientId, String filter) throws MqttException {
    client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(false);
    options.setSessionExpiryInterval(3_600L);
    options.setAutomaticReconnect(true);
    options.setAutomaticReconnectDelay(1, 2);
    client.setCallback(new MqttCallback() {
      @Override
      public void disconnected(MqttDisconnectResponse response) {}

      @Override
      public void mqttErrorOccurred(MqttException exception) {}

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        String text = new String(message.getPayload(), StandardCharsets.UTF_8);
        byTopic.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(text);
        all.add(text);
      }

      @Override
      public void deliveryComplete(IMqttToken token) {}

      @Override
      public void connectComplete(boolean reconnect, String serverUri) {}

      @Override
      public void authPacketArrived(int reasonCode, MqttProperties properties) {}
    });
    client.connect(options).waitForCompletion(10_000);
    client.subscribe(filter, 1).waitForCompletion(10_000);
  }

  /** Messages by topic, in arrival order. */
  public Map<String, List<String>> byTopic() {
    return Map.copyOf(byTopic);
  }

  public List<String> all() {
    return new ArrayList<>(all);
  }

  public int count() {
    return all.size();
  }

  @Override
  public void close() throws MqttException {
    try {
      if (client.isConnected()) {
        client.disconnect().waitForCompletion(5_000);
      }
    } finally {
      client.close(true);
    }
  }
}
