package io.sluice.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.connectors.mqtt.MqttIngressSettings;
import io.sluice.connectors.mqtt.MqttSubscription;
import io.sluice.topology.spec.Brokers;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The connectors cannot see the topology format, so MqttIngressSettings.of keeps defaults of its
 * own for code that builds an ingress directly; they must be the format's.
 */
class MqttDefaultsTest {

  @Test
  void theIngressDefaultsAreTheTopologyFormatsDefaults() {
    MqttIngressSettings ingress = MqttIngressSettings.of("tcp://127.0.0.1:1883", "c",
        List.of(new MqttSubscription("notes", "plant/+/notes", 1, "ns.in.notes", -1)));
    Brokers.Mqtt format = Brokers.Mqtt.embeddedDefaults();
    assertThat(ingress.receiveMaximum()).isEqualTo(format.receiveMaximum());
    assertThat(ingress.sessionExpiry()).isEqualTo(format.sessionExpiry());
  }
}
