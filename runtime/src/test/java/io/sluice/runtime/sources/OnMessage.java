package io.sluice.runtime.sources;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** A Paho callback for test clients that only care about the messages they receive. */
@FunctionalInterface
interface OnMessage extends MqttCallback {

  @Override
  void messageArrived(String topic, MqttMessage message) throws Exception;

  @Override
  default void disconnected(MqttDisconnectResponse response) {}

  @Override
  default void mqttErrorOccurred(MqttException exception) {}

  @Override
  default void deliveryComplete(IMqttToken token) {}

  @Override
  default void connectComplete(boolean reconnect, String serverUri) {}

  @Override
  default void authPacketArrived(int reasonCode, MqttProperties properties) {}
}
