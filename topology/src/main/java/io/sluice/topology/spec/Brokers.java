package io.sluice.topology.spec;

import java.time.Duration;
import java.util.Optional;

/** The MQTT and Kafka brokers a topology talks to. */
public record Brokers(Mqtt mqtt, Kafka kafka) {

  /**
   * @param url {@code embedded} for an in-process broker, or {@code tcp://host:1883} /
   *     {@code ssl://host:8883}
   * @param clientId stable MQTT client id; the broker keeps this gateway's session under it
   * @param username optional
   * @param password optional, a secret (write {@code ${MQTT_PASSWORD}})
   * @param receiveMaximum most unacknowledged messages in flight from the broker
   * @param sessionExpiry how long the broker keeps the session while the gateway is away
   * @param tls certificates for {@code ssl://} URLs
   */
  public record Mqtt(String url, String clientId, Optional<String> username,
      Optional<String> password, int receiveMaximum, Duration sessionExpiry, Tls tls) {

    /** The embedded broker, with every default: what a file without {@code brokers.mqtt} gets. */
    public static final String EMBEDDED = "embedded";
    /** Default of {@code receiveMaximum}. */
    public static final int DEFAULT_RECEIVE_MAXIMUM = 1_000;
    /** Default of {@code sessionExpiry}. */
    public static final Duration DEFAULT_SESSION_EXPIRY = Duration.ofDays(1);

    /** An embedded broker with default settings; the client id is filled in later. */
    public static Mqtt embeddedDefaults() {
      return new Mqtt(EMBEDDED, null, Optional.empty(), Optional.empty(),
          DEFAULT_RECEIVE_MAXIMUM, DEFAULT_SESSION_EXPIRY, Tls.none());
    }

    public boolean embedded() {
      return url.equals(EMBEDDED);
    }

    @Override
    public String toString() {
      return "Mqtt[url=" + url + ", clientId=" + clientId + ", username=" + username.orElse("-")
          + ", password=" + (password.isPresent() ? "****" : "-") + ", receiveMaximum="
          + receiveMaximum + ", sessionExpiry=" + sessionExpiry + ", tls=" + tls + "]";
    }
  }

  /**
   * TLS for an {@code ssl://} MQTT broker. Paths are as written (relative to the working folder).
   *
   * @param trustStore CA certificates: PKCS#12/JKS ({@code .p12}, {@code .pfx}, {@code .jks}) or
   *     PEM; empty for the JDK's default trust store
   * @param trustStorePassword password of a PKCS#12/JKS trust store (a secret)
   * @param keyStore client certificate: PKCS#12/JKS with its key, or a PEM chain with
   *     {@code keyFile}
   * @param keyStorePassword password of a PKCS#12/JKS key store (a secret)
   * @param keyFile PKCS#8 PEM private key for a PEM {@code keyStore}
   * @param verifyHostname check that the certificate names the broker's host
   */
  public record Tls(Optional<String> trustStore, Optional<String> trustStorePassword,
      Optional<String> keyStore, Optional<String> keyStorePassword, Optional<String> keyFile,
      boolean verifyHostname) {

    public static Tls none() {
      return new Tls(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
          Optional.empty(), true);
    }

    @Override
    public String toString() {
      return "Tls[trustStore=" + trustStore.orElse("-") + ", keyStore=" + keyStore.orElse("-")
          + ", keyFile=" + keyFile.orElse("-") + ", verifyHostname=" + verifyHostname + "]";
    }
  }

  /**
   * @param bootstrap {@code embedded} for an in-process broker, or {@code host:9092,...}
   * @param partitions partitions of the topics the topology creates
   * @param commitInterval how often Kafka Streams commits its transaction (exactly-once)
   * @param streamThreads Kafka Streams threads; a source's partitions are tasks, shared among them
   */
  public record Kafka(String bootstrap, int partitions, Duration commitInterval,
      int streamThreads) {

    /**
     * 2: while one thread waits for a model call, the other keeps the rest of the stream (sensor
     * readings, other partitions) moving; measured in docs/BENCHMARKS.md.
     */
    public static final int DEFAULT_STREAM_THREADS = 2;

    /** A cluster with the default number of stream threads. */
    public Kafka(String bootstrap, int partitions, Duration commitInterval) {
      this(bootstrap, partitions, commitInterval, DEFAULT_STREAM_THREADS);
    }

    /**
     * 20 ms: results are visible to read-committed consumers only at a commit, and at 100 ms (Kafka
     * Streams' own exactly-once default) the commit wait alone made the end-to-end p95 miss
     * 100 ms; measured in docs/BENCHMARKS.md.
     */
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(20);

    public boolean embedded() {
      return bootstrap.equals("embedded");
    }
  }
}
