package io.sluice.lab.fleet;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.connectors.ConnectorMeters;
import io.sluice.runtime.Metrics;
import io.sluice.topology.spec.Source;
import io.sluice.topology.spec.TopologySpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Counts the records that are on their way through a gateway and not yet in any output: those
 * the broker acknowledged to the devices but the MQTT ingress has not received yet, plus those
 * in the input topics that the stream has not committed as read. For {@link Settlement}: what is
 * on its way is a backlog, not a loss.
 */
public final class OnTheirWay implements AutoCloseable {

  private final Admin admin;
  private final List<String> inputs;
  private final String applicationId;
  private final MeterRegistry registry;

  /** @param registry the gateway's registry, which holds the ingress's meters */
  public OnTheirWay(String bootstrap, TopologySpec spec, MeterRegistry registry) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    this.admin = Admin.create(p);
    this.inputs = spec.sources().stream().map(Source::name).map(spec.topics()::input).toList();
    // the gateway's Kafka Streams application id (TopologyRuntime)
    this.applicationId = spec.metadata().namespace() + "-" + spec.metadata().name();
    this.registry = registry;
  }

  /**
   * @param acknowledgedToDevices events the broker acknowledged to the devices so far, all
   *     steps of the run together
   * @return records on their way, or -1 when Kafka did not answer
   */
  public long count(long acknowledgedToDevices) {
    long received = (long) Metrics.counterSum(registry,
        ConnectorMeters.MQTT_RECEIVED.meterName());
    long atBroker = Math.max(0, acknowledgedToDevices - received);
    try {
      Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
      admin.describeTopics(inputs).allTopicNames().get(10, TimeUnit.SECONDS).values()
          .forEach(d -> d.partitions().forEach(p ->
              request.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin.listOffsets(request).all().get(10, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetAndMetadata> read = admin.listConsumerGroupOffsets(applicationId)
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      long unread = 0;
      for (var e : ends.entrySet()) {
        OffsetAndMetadata committed = read.get(e.getKey());
        // the ingress writes without transactions: every offset below the end is a record
        unread += Math.max(0, e.getValue().offset() - (committed == null ? 0
            : committed.offset()));
      }
      return atBroker + unread;
    } catch (Exception e) {
      return -1;
    }
  }

  @Override
  public void close() {
    admin.close();
  }
}
