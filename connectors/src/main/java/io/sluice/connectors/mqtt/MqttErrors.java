package io.sluice.connectors.mqtt;

import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.common.MqttException;

/** Turns Paho's numeric error codes into sentences. */
final class MqttErrors {

  private MqttErrors() {}

  static String describe(Throwable e) {
    if (e instanceof MqttException m) {
      String text = switch (m.getReasonCode()) {
        case MqttException.REASON_CODE_CLIENT_EXCEPTION -> "client error";
        case MqttClientException.REASON_CODE_SERVER_CONNECT_ERROR -> "broker unreachable";
        case MqttClientException.REASON_CODE_CONNECTION_LOST -> "connection lost";
        case MqttClientException.REASON_CODE_CLIENT_TIMEOUT -> "timed out";
        case MqttClientException.REASON_CODE_CLIENT_CONNECTED -> "already connected";
        case MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED -> "not connected";
        case MqttClientException.REASON_CODE_CONNECT_IN_PROGRESS -> "connect already in progress";
        case MqttClientException.REASON_CODE_CLIENT_DISCONNECTING -> "disconnecting";
        case MqttClientException.REASON_CODE_SERVER_DISCONNECTED -> "broker disconnected us";
        case 0x86, 0x04 -> "bad user name or password";
        case 0x87, 0x05 -> "not authorized (check the user name, password and the broker's ACL)";
        case 0x80 -> "subscription refused";
        default -> "code " + m.getReasonCode();
      };
      Throwable cause = m.getCause();
      if (cause instanceof javax.net.ssl.SSLException) {
        text = "TLS failed, check the trust store, client certificate and host name";
      }
      return text + (cause != null && cause.getMessage() != null ? " (" + cause.getMessage() + ")"
          : m.getMessage() != null && !m.getMessage().isBlank() ? " (" + m.getMessage() + ")" : "");
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
