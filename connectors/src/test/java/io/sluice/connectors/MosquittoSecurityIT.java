package io.sluice.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.connectors.embedded.EmbeddedKafka;
import io.sluice.connectors.embedded.FreePorts;
import io.sluice.connectors.embedded.MosquittoBroker;
import io.sluice.connectors.mqtt.MqttIngress;
import io.sluice.connectors.mqtt.MqttIngressSettings;
import io.sluice.connectors.mqtt.MqttSubscription;
import io.sluice.connectors.mqtt.MqttTls;
import io.sluice.connectors.testing.Certificates;
import io.sluice.connectors.testing.Closer;
import io.sluice.connectors.testing.Kafkas;
import io.sluice.connectors.testing.Publishers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * TLS and passwords against real Mosquitto: a TLS listener that requires a client certificate
 * from the test CA, user names and passwords on every listener. The gateway connects with trust
 * and key stores or with PEM files; a broker certificate from another CA, a missing client
 * certificate and a wrong password are all refused, and the password is never logged. Skipped
 * when Mosquitto is not installed.
 */
class MosquittoSecurityIT {

  static final String USER = "gateway";
  static final String PASSWORD = "pa55-Word-never-logged";

  @TempDir
  static Path dir;
  static EmbeddedKafka kafka;
  static MosquittoBroker mosquitto;
  static Certificates.Files pki;
  static Certificates.Files foreign;
  static int tlsPort;

  @BeforeAll
  static void startBrokers() throws Exception {
    assumeTrue(MosquittoBroker.binary().isPresent(),
        "Mosquitto is not installed ('apt-get install -y mosquitto'; .ci/run does it):"
            + " skipping the TLS and password tests against real Mosquitto");
    Path passwd = Path.of("/usr/bin/mosquitto_passwd");
    assumeTrue(Files.isExecutable(passwd),
        "mosquitto_passwd is missing: skipping the TLS and password tests");
    pki = Certificates.create(dir.resolve("pki"), "plant");
    foreign = Certificates.create(dir.resolve("pki"), "elsewhere");
    Path passwords = dir.resolve("passwords");
    Process p = new ProcessBuilder(passwd.toString(), "-b", "-c", passwords.toString(), USER,
        PASSWORD).redirectErrorStream(true).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
    kafka = EmbeddedKafka.start();
    tlsPort = FreePorts.next();
    mosquitto = MosquittoBroker.start(dir.resolve("mosquitto"), 0, List.of(
        "allow_anonymous false",
        "password_file " + passwords,
        "listener " + tlsPort + " 127.0.0.1",
        "cafile " + pki.caPem(),
        "certfile " + pki.serverPem(),
        "keyfile " + pki.serverKeyPem(),
        "require_certificate true"));
  }

  @AfterAll
  static void stopBrokers() throws Exception {
    Closer.closeAll(mosquitto, kafka);
  }

  private static MqttIngressSettings settings(String url, String clientId, String topic) {
    return MqttIngressSettings.of(url, clientId,
            List.of(new MqttSubscription("notes", "plant/+/notes", 1, topic, -1)))
        .withReconnect(Duration.ofMillis(100), Duration.ofMillis(400));
  }

  private static String tlsUrl() {
    return "ssl://127.0.0.1:" + tlsPort;
  }

  /** Connects with {@code tls} and credentials; messages published on the plain port arrive. */
  private static void deliversOver(MqttTls tls, String name) throws Exception {
    String topic = "it.tls." + name;
    kafka.createTopics(Map.of(topic, 3));
    try (KafkaProducer<byte[], byte[]> producer = Kafkas.producer(kafka.bootstrapServers());
        MqttIngress ingress = new MqttIngress(settings(tlsUrl(), "it-tls-" + name, topic)
            .withCredentials(USER, PASSWORD).withTls(tls), producer, new SimpleMeterRegistry(),
            Clock.systemUTC())) {
      ingress.start();
      await().atMost(Duration.ofSeconds(30))
          .until(() -> ingress.state() == MqttIngress.State.CONNECTED);
      MqttClient publisher = new MqttClient(mosquitto.url(), "it-tls-dev-" + name,
          new MemoryPersistence());
      MqttConnectionOptions options = new MqttConnectionOptions();
      options.setUserName(USER);
      options.setPassword(PASSWORD.getBytes());
      publisher.connect(options);
      Publishers.publish(publisher, List.of("t1"), 50);
      publisher.disconnect();
      publisher.close();
      MqttIngressIT.assertEachDeviceInOrder(
          MqttIngressIT.awaitRecords(kafka, topic, 50, ingress), List.of("t1"), 50);
    }
  }

  /** The ingress never gets connected, and keeps trying. */
  private static void refused(MqttIngressSettings settings) {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (KafkaProducer<byte[], byte[]> producer = Kafkas.producer(kafka.bootstrapServers());
        MqttIngress ingress = new MqttIngress(settings, producer, registry, Clock.systemUTC())) {
      ingress.start();
      await().atMost(Duration.ofSeconds(20))
          .until(() -> registry.get("sluice.mqtt.reconnects").counter().count() >= 2);
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
          .until(() -> ingress.state() != MqttIngress.State.CONNECTED);
    }
  }

  @Test
  void tlsWithPkcs12TrustAndKeyStores() throws Exception {
    deliversOver(MqttTls.defaults()
        .withTrustStore(pki.trustP12(), Certificates.STORE_PASSWORD)
        .withKeyStore(pki.clientP12(), Certificates.STORE_PASSWORD), "p12");
  }

  @Test
  void tlsWithPemFiles() throws Exception {
    deliversOver(MqttTls.defaults().withTrustStore(pki.caPem(), null)
        .withPemClientCertificate(pki.clientPem(), pki.clientKeyPem()), "pem");
  }

  @Test
  void aBrokerCertificateFromAnotherCaIsRefused() {
    refused(settings(tlsUrl(), "it-tls-foreign", "it.tls.refused").withCredentials(USER, PASSWORD)
        .withTls(MqttTls.defaults().withTrustStore(foreign.caPem(), null)
            .withPemClientCertificate(pki.clientPem(), pki.clientKeyPem())));
  }

  @Test
  void withoutAClientCertificateTheBrokerRefuses() {
    refused(settings(tlsUrl(), "it-tls-nocert", "it.tls.refused").withCredentials(USER, PASSWORD)
        .withTls(MqttTls.defaults().withTrustStore(pki.caPem(), null)));
  }

  @Test
  void aWrongPasswordIsRefusedAndNoPasswordIsEverLogged() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    String wrong = "wrong-" + PASSWORD;
    try {
      MqttIngressSettings settings = settings(mosquitto.url(), "it-wrong-password",
          "it.tls.refused").withCredentials(USER, wrong);
      refused(settings);
      // the settings themselves are safe to log
      LoggerFactory.getLogger(MosquittoSecurityIT.class).info("settings: {}", settings);
    } finally {
      root.detachAppender(logs);
    }
    assertThat(logs.list).isNotEmpty();
    assertThat(logs.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
        .contains("not authorized"));
    for (ILoggingEvent e : logs.list) {
      assertThat(e.getFormattedMessage()).doesNotContain(wrong).doesNotContain(PASSWORD);
    }
  }
}
