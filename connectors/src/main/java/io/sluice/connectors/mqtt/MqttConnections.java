package io.sluice.connectors.mqtt;

import io.sluice.connectors.internal.TlsContexts;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * What the ingress and the egress share about connecting: one Paho client per connection (no
 * state carried from a dead connection), Paho's own reconnect and offline buffer off (the
 * connectors own reconnects and Kafka is the buffer), and TLS and credentials from
 * {@link MqttEndpoint}. The TLS socket factory is built once, when the connector is created, so
 * bad certificate files fail at start.
 */
final class MqttConnections {

  private final MqttEndpoint endpoint;
  private final SSLSocketFactory socketFactory;

  MqttConnections(MqttEndpoint endpoint) {
    this.endpoint = endpoint;
    this.socketFactory = endpoint.usesTls() ? TlsContexts.socketFactory(endpoint.tls()) : null;
  }

  MqttEndpoint endpoint() {
    return endpoint;
  }

  MqttAsyncClient newClient() {
    try {
      return new MqttAsyncClient(endpoint.brokerUrl(), endpoint.clientId(),
          new MemoryPersistence());
    } catch (MqttException e) {
      throw new IllegalArgumentException("Cannot create an MQTT client for "
          + endpoint.brokerUrl() + ": " + MqttErrors.describe(e), e);
    }
  }

  /** Connection options shared by every connector; the caller adds session and flow settings. */
  MqttConnectionOptions options() {
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setAutomaticReconnect(false);
    options.setKeepAliveInterval(30);
    options.setConnectionTimeout(10);
    endpoint.username().ifPresent(options::setUserName);
    endpoint.password().ifPresent(p -> options.setPassword(p.getBytes(StandardCharsets.UTF_8)));
    if (socketFactory != null) {
      options.setSocketFactory(socketFactory);
      options.setHttpsHostnameVerificationEnabled(endpoint.tls().verifyHostname());
    }
    return options;
  }

  /** Closes a client that is done with, whatever state it is in. */
  static void closeQuietly(MqttAsyncClient client) {
    if (client == null) {
      return;
    }
    try {
      if (client.isConnected()) {
        client.disconnectForcibly(0, 1_000, false);
      }
    } catch (MqttException | RuntimeException e) {
      // the connection is being abandoned; nothing to do
    }
    try {
      client.close(true);
    } catch (MqttException | RuntimeException e) {
      // idem
    }
  }
}
