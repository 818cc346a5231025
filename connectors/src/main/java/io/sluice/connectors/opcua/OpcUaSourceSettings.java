package io.sluice.connectors.opcua;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of one OPC UA source.
 *
 * @param source the topology source name, stamped on every record
 * @param endpoint {@code opc.tcp://host:port/path}
 * @param securityPolicy {@code None} or {@code Basic256Sha256}
 * @param securityMode {@code None}, {@code Sign} or {@code SignAndEncrypt}
 * @param username user name; anonymous when empty
 * @param password password (never logged)
 * @param certificate PKCS#12 file with the client certificate and key (secure policies)
 * @param certificatePassword its password
 * @param trustDir where trusted ({@code trusted/certs}) and rejected server certificates live
 * @param nodes what to monitor
 * @param samplingInterval server-side sampling interval of every node
 * @param queueSize values the server queues per node between publishes
 * @param deadband absolute deadband; 0 reports every change
 * @param badStatusToDlq values with a Bad status go to the dead-letter topic (else on, flagged)
 * @param bufferSize values held for Kafka; past it the subscription pauses
 * @param kafkaTopic where readings go
 * @param deadLetterTopic where bad values go
 * @param reconnectMin first reconnect delay, doubling up to {@code reconnectMax}
 */
public record OpcUaSourceSettings(String source, String endpoint, String securityPolicy,
    String securityMode, Optional<String> username, Optional<String> password,
    Optional<Path> certificate, Optional<String> certificatePassword, Path trustDir,
    List<Node> nodes, Duration samplingInterval, int queueSize, double deadband,
    boolean badStatusToDlq, int bufferSize, String kafkaTopic, String deadLetterTopic,
    Duration reconnectMin, Duration reconnectMax) {

  /**
   * A node to monitor: {@code nodeId} (OPC UA string form) or {@code browsePath} (browse names
   * from the Objects folder, {@code /}-separated, {@code <ns>:<name>} for other namespaces).
   *
   * @param device device id, or null for the browse name of the node's parent object
   * @param metric metric name, or null for the node's browse name
   */
  public record Node(String nodeId, String browsePath, String device, String metric) {
    public Node {
      if ((nodeId == null) == (browsePath == null)) {
        throw new IllegalArgumentException("a node needs exactly one of nodeId and browsePath");
      }
    }

    /** How the node is named in logs and errors. */
    public String describe() {
      return nodeId != null ? nodeId : browsePath;
    }
  }

  public OpcUaSourceSettings {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(endpoint, "endpoint");
    nodes = List.copyOf(nodes);
    List<String> errors = new ArrayList<>();
    if (!endpoint.startsWith("opc.tcp://")) {
      errors.add("endpoint must be opc.tcp://host:port[/path], got " + endpoint);
    }
    if (!List.of("None", "Basic256Sha256").contains(securityPolicy)) {
      errors.add("securityPolicy must be None or Basic256Sha256, got " + securityPolicy);
    }
    if (!List.of("None", "Sign", "SignAndEncrypt").contains(securityMode)) {
      errors.add("securityMode must be None, Sign or SignAndEncrypt, got " + securityMode);
    }
    if (!"None".equals(securityPolicy) && certificate.isEmpty()) {
      errors.add("securityPolicy " + securityPolicy + " needs a client certificate");
    }
    if (nodes.isEmpty()) {
      errors.add("at least one node is needed");
    }
    if (bufferSize < 1) {
      errors.add("bufferSize must be at least 1, got " + bufferSize);
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("Invalid OPC UA source '" + source + "': "
          + String.join("; ", errors));
    }
  }

  /** Reconnects between 100 ms and 30 s. */
  public static OpcUaSourceSettings of(String source, String endpoint, List<Node> nodes,
      String kafkaTopic, String deadLetterTopic, Path trustDir) {
    return new OpcUaSourceSettings(source, endpoint, "None", "None", Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), trustDir, nodes,
        Duration.ofMillis(100), 10, 0, true, 10_000, kafkaTopic, deadLetterTopic,
        Duration.ofMillis(100), Duration.ofSeconds(30));
  }

  public OpcUaSourceSettings withReconnect(Duration min, Duration max) {
    return new OpcUaSourceSettings(source, endpoint, securityPolicy, securityMode, username,
        password, certificate, certificatePassword, trustDir, nodes, samplingInterval,
        queueSize, deadband, badStatusToDlq, bufferSize, kafkaTopic, deadLetterTopic, min, max);
  }

  public OpcUaSourceSettings withBufferSize(int size) {
    return new OpcUaSourceSettings(source, endpoint, securityPolicy, securityMode, username,
        password, certificate, certificatePassword, trustDir, nodes, samplingInterval,
        queueSize, deadband, badStatusToDlq, size, kafkaTopic, deadLetterTopic, reconnectMin,
        reconnectMax);
  }

  @Override
  public String toString() {
    return "OpcUaSourceSettings[source=" + source + ", endpoint=" + endpoint
        + ", securityPolicy=" + securityPolicy + ", securityMode=" + securityMode
        + ", username=" + username.orElse("-") + ", password="
        + (password.isPresent() ? "****" : "-") + ", nodes=" + nodes.size() + "]";
  }
}
