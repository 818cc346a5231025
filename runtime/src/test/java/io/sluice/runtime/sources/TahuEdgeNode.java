package io.sluice.runtime.sources;

import io.sluice.connectors.testing.Publishers;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.tahu.message.SparkplugBPayloadDecoder;
import org.eclipse.tahu.message.SparkplugBPayloadEncoder;
import org.eclipse.tahu.message.model.Metric;
import org.eclipse.tahu.message.model.MetricDataType;
import org.eclipse.tahu.message.model.PropertyDataType;
import org.eclipse.tahu.message.model.PropertySet;
import org.eclipse.tahu.message.model.PropertyValue;
import org.eclipse.tahu.message.model.SparkplugBPayload;

/**
 * A Sparkplug B edge node for tests, its payloads built and read with Eclipse Tahu's classes: one
 * device with a Temperature (alias 1, degC) and a Running (alias 2) metric, DATA by alias only,
 * the NDEATH will, and rebirth on an NCMD {@code Node Control/Rebirth}, as edge nodes do.
 */
final class TahuEdgeNode implements AutoCloseable {

  final String group;
  final String node;
  final String device;
  final List<SparkplugBPayload> commands = new CopyOnWriteArrayList<>();
  private final MqttClient client;
  private final long bdSeq;
  private long seq;

  TahuEdgeNode(String url, String group, String node, String device, long bdSeq)
      throws Exception {
    this.group = group;
    this.node = node;
    this.device = device;
    this.bdSeq = bdSeq;
    this.client = new MqttClient(url, "edge-" + node, new MemoryPersistence());
    client.setCallback((OnMessage) (topic, message) -> {
      SparkplugBPayload command = new SparkplugBPayloadDecoder()
          .buildFromByteArray(message.getPayload(), null);
      commands.add(command);
      for (Metric m : command.getMetrics()) {
        if ("Node Control/Rebirth".equals(m.getName()) && Boolean.TRUE.equals(m.getValue())) {
          new Thread(() -> {
            try {
              births();
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }).start();
        }
      }
    });
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(true);
    options.setSessionExpiryInterval(0L);
    MqttMessage will = new MqttMessage(encode(death(), false));
    options.setWill(topic("NDEATH", false), will);
    client.connect(options);
    client.subscribe("spBv1.0/" + group + "/NCMD/" + node, 1);
  }

  /** NBIRTH (seq 0, bdSeq) then DBIRTH. */
  synchronized void births() throws Exception {
    seq = 0;
    SparkplugBPayload nbirth = new SparkplugBPayload.SparkplugBPayloadBuilder().setSeq(0L)
        .setTimestamp(new Date()).createPayload();
    nbirth.addMetric(new Metric.MetricBuilder("bdSeq", MetricDataType.Int64, bdSeq)
        .createMetric());
    nbirth.addMetric(new Metric.MetricBuilder("Node Control/Rebirth", MetricDataType.Boolean,
        false).createMetric());
    publish(topic("NBIRTH", false), encode(nbirth, false));
    SparkplugBPayload dbirth = payload(++seq);
    dbirth.addMetric(new Metric.MetricBuilder("Temperature", MetricDataType.Double, 20.0)
        .alias(1L).properties(new PropertySet.PropertySetBuilder()
            .addProperty("engUnit", new PropertyValue<>(PropertyDataType.String, "degC"))
            .createPropertySet()).createMetric());
    dbirth.addMetric(new Metric.MetricBuilder("Running", MetricDataType.Boolean, true)
        .alias(2L).createMetric());
    publish(topic("DBIRTH", true), encode(dbirth, false));
  }

  /** DDATA with the temperature, by alias only. */
  synchronized void data(double temperature) throws Exception {
    SparkplugBPayload p = payload(++seq & 0xFF);
    Metric m = new Metric.MetricBuilder(1L, MetricDataType.Double, temperature)
        .timestamp(new Date()).createMetric();
    p.addMetric(m);
    publish(topic("DDATA", true), encode(p, true));
  }

  /** Loses {@code n} messages: the next DATA carries a seq {@code n} too far. */
  synchronized void skip(int n) {
    seq += n;
  }

  void publishRaw(String verb, byte[] bytes) throws Exception {
    publish(topic(verb, true), bytes);
  }

  private SparkplugBPayload payload(long s) {
    return new SparkplugBPayload.SparkplugBPayloadBuilder().setSeq(s).setTimestamp(new Date())
        .createPayload();
  }

  private SparkplugBPayload death() throws Exception {
    SparkplugBPayload p = new SparkplugBPayload.SparkplugBPayloadBuilder()
        .setTimestamp(new Date()).createPayload();
    p.addMetric(new Metric.MetricBuilder("bdSeq", MetricDataType.Int64, bdSeq).createMetric());
    return p;
  }

  private String topic(String verb, boolean withDevice) {
    return "spBv1.0/" + group + "/" + verb + "/" + node + (withDevice ? "/" + device : "");
  }

  private static byte[] encode(SparkplugBPayload p, boolean stripTypes) throws Exception {
    return new SparkplugBPayloadEncoder().getBytes(p, stripTypes);
  }

  private void publish(String topic, byte[] payload) throws MqttException {
    MqttMessage message = new MqttMessage(payload);
    message.setQos(1);
    Publishers.publishRetryingWhenFull(client, topic, message);
  }

  @Override
  public void close() throws Exception {
    if (client.isConnected()) {
      client.disconnect();
    }
    client.close();
  }
}
