package io.sluice.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.connectors.link.CloudLinkSettings;
import io.sluice.connectors.link.LinkRoute;
import io.sluice.connectors.mqtt.MqttEgressSettings;
import io.sluice.connectors.mqtt.MqttEndpoint;
import io.sluice.connectors.mqtt.MqttIngressSettings;
import io.sluice.connectors.mqtt.MqttSubscription;
import io.sluice.connectors.mqtt.MqttTls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Settings validate everything at once, and never show a secret. */
class SettingsTest {

  private static final MqttSubscription SUB =
      new MqttSubscription("notes", "plant/+/notes", 1, "ns.in.notes", -1);

  @Test
  void theSettingsOfBeforeTlsStillBuildAndMeanNoTls() {
    MqttIngressSettings s = new MqttIngressSettings("tcp://broker:1883", "gw", List.of(SUB), 500,
        Duration.ofHours(1), Optional.of("gw"), Optional.of("pw"), Duration.ofMillis(100),
        Duration.ofSeconds(30));
    assertThat(s.tls()).isEqualTo(MqttTls.defaults());
    assertThat(s.endpoint().usesTls()).isFalse();
  }

  @Test
  void everyMistakeIsReportedAtOnce() {
    assertThatThrownBy(() -> new MqttIngressSettings("http://broker", "gw", List.of(), 0,
        Duration.ofHours(1), Optional.empty(), Optional.empty(), Duration.ofSeconds(5),
        Duration.ofSeconds(1)))
        .hasMessageContaining("must start with tcp:// or ssl://");
    assertThatThrownBy(() -> new MqttIngressSettings("tcp://broker:1883", "gw", List.of(), 0,
        Duration.ofHours(1), Optional.empty(), Optional.empty(), Duration.ofSeconds(5),
        Duration.ofSeconds(1)))
        .hasMessageContaining("at least one subscription")
        .hasMessageContaining("receiveMaximum must be in 1..65535, got 0")
        .hasMessageContaining("reconnect delays");
  }

  @Test
  void tlsFilesOnAPlainUrlAreAMistake() {
    MqttTls tls = MqttTls.defaults().withTrustStore(Path.of("ca.pem"), null);
    assertThatThrownBy(() -> MqttEndpoint.of("tcp://broker:1883", "gw").withTls(tls))
        .hasMessageContaining("plain tcp://");
    assertThat(MqttEndpoint.of("ssl://broker:8883", "gw").withTls(tls).usesTls()).isTrue();
  }

  @Test
  void aPemKeyNeedsItsChainAndAStoreNeedsNoKeyFile() {
    assertThatThrownBy(() -> new MqttTls(Optional.empty(), Optional.empty(),
        Optional.of(Path.of("client.p12")), Optional.of("x"), Optional.of(Path.of("key.pem")),
        true)).hasMessageContaining("holds its own key");
    assertThatThrownBy(() -> new MqttTls(Optional.empty(), Optional.empty(),
        Optional.of(Path.of("client.pem")), Optional.empty(), Optional.empty(), true))
        .hasMessageContaining("needs keyFile");
    assertThatThrownBy(() -> new MqttTls(Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.of(Path.of("key.pem")), true))
        .hasMessageContaining("without keyStore");
  }

  @Test
  void secretsNeverAppearInToString() {
    String secret = "s3cr3t-value";
    MqttTls tls = MqttTls.defaults().withTrustStore(Path.of("trust.p12"), secret)
        .withKeyStore(Path.of("client.p12"), secret);
    MqttIngressSettings ingress = MqttIngressSettings.of("ssl://b:8883", "gw", List.of(SUB))
        .withCredentials("user", secret).withTls(tls);
    MqttEgressSettings egress = MqttEgressSettings.of(
        MqttEndpoint.of("ssl://b:8883", "gw-out").withCredentials("user", secret).withTls(tls),
        "ns.alerts", "gw-egress");
    KafkaCluster cloud = new KafkaCluster("cloud", "cloud:9093", Map.of(
        "security.protocol", "SASL_SSL", "sasl.jaas.config", "x password=\"" + secret + "\"",
        "ssl.truststore.password", secret));
    for (Object o : List.of(tls, ingress, ingress.endpoint(), egress, cloud)) {
      assertThat(o.toString()).as(o.getClass().getSimpleName())
          .doesNotContain(secret).contains("****");
    }
    assertThat(cloud.toString()).contains("SASL_SSL");
  }

  @Test
  void egressSettingsCheckTheirFields() {
    MqttEndpoint mqtt = MqttEndpoint.of("tcp://b:1883", "out");
    assertThatThrownBy(() -> MqttEgressSettings.of(mqtt, "", "g").withMaxInFlight(0))
        .hasMessageContaining("kafkaTopic is blank");
    assertThatThrownBy(() -> MqttEgressSettings.of(mqtt, "a", "g").withDefaultTarget("x/#"))
        .hasMessageContaining("without wildcards");
  }

  @Test
  void linkSettingsReportUnknownClustersDuplicatesAndBadValuesTogether() {
    List<KafkaCluster> clusters = List.of(KafkaCluster.of("gateway", "gw:9092"),
        KafkaCluster.of("gateway", "gw2:9092"));
    List<LinkRoute> routes = List.of(
        new LinkRoute("forward", "gateway", "a", "cloud", "a"),
        new LinkRoute("forward", "gateway", "b", "cloud", "b"));
    assertThatThrownBy(() -> CloudLinkSettings.of("gw-1", clusters, routes)
        .withBatching("brotli", Duration.ofMillis(5), 1024))
        .hasMessageContaining("cluster 'gateway' is declared twice")
        .hasMessageContaining("route 'forward' is declared twice")
        .hasMessageContaining("unknown cluster 'cloud'");
    assertThatThrownBy(() -> CloudLinkSettings.of("gw-1",
        List.of(KafkaCluster.of("gateway", "gw:9092"), KafkaCluster.of("cloud", "c:9092")),
        LinkRoute.gatewayRoutes("sluice.forward", "sluice.summaries", "sluice.feedback",
            "gateway", "cloud"))
        .withBatching("brotli", Duration.ofMillis(5), 1024))
        .hasMessageContaining("compression 'brotli'");
  }

  @Test
  void theLinksInstanceIdIsOptionalButNeverBlank() {
    CloudLinkSettings link = CloudLinkSettings.of("gw-1",
        List.of(KafkaCluster.of("gateway", "gw:9092"), KafkaCluster.of("cloud", "c:9092")),
        LinkRoute.gatewayRoutes("sluice.forward", "sluice.summaries", "sluice.feedback",
            "gateway", "cloud"));
    assertThat(link.instanceId()).isNull();
    assertThat(link.withInstanceId("line-7-a").withMaxInFlight(10).instanceId())
        .isEqualTo("line-7-a");
    assertThatThrownBy(() -> link.withInstanceId(" "))
        .hasMessageContaining("instanceId is blank");
  }

  @Test
  void theGatewayRoutesGoUpForForwardAndSummariesAndDownForFeedback() {
    List<LinkRoute> routes = LinkRoute.gatewayRoutes("sluice.forward", "sluice.summaries",
        "sluice.feedback", "gateway", "cloud");
    assertThat(routes).extracting(LinkRoute::name)
        .containsExactly("forward", "summaries", "feedback");
    assertThat(routes.get(0)).isEqualTo(
        new LinkRoute("forward", "gateway", "sluice.forward", "cloud", "sluice.forward"));
    assertThat(routes.get(2)).isEqualTo(
        new LinkRoute("feedback", "cloud", "sluice.feedback", "gateway", "sluice.feedback"));
    assertThatThrownBy(() -> new LinkRoute("loop", "gateway", "t", "gateway", "t"))
        .hasMessageContaining("a loop");
  }
}
