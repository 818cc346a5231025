package io.sluice.operators.anomaly;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.operators.anomaly.internal.AnomalyProcessor;
import io.sluice.schemas.PipelineRecord;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The anomaly operator for Kafka Streams' Processor API: {@code PipelineRecord}s of sensor
 * readings in; every reading goes on (its result now with anomaly score, flag and label
 * {@code anomaly} or {@code normal}; route left to the router) to the node {@link #scoresNode}, and per tumbling
 * window per device and metric a {@code SensorWindowSummary} of the normal readings to the node
 * {@link #summariesNode}. Both child nodes must be added by the caller (sinks or processors).
 *
 * <pre>{@code
 * AnomalyOperator.addTo(topology, "anomaly", AnomalyConfig.defaults(), null, "readings");
 * topology.addSink(AnomalyOperator.scoresNode("anomaly"), "results", keySerde, resultSerde, "anomaly");
 * topology.addSink(AnomalyOperator.summariesNode("anomaly"), "summaries", keySerde, summarySerde, "anomaly");
 * }</pre>
 */
public final class AnomalyOperator {

  private AnomalyOperator() {}

  public static String scoresNode(String name) {
    return name + "-scores";
  }

  public static String summariesNode(String name) {
    return name + "-summaries";
  }

  /**
   * A processor supplier that owns its logged state store; the processor forwards to
   * {@link #scoresNode}{@code (name)} and {@link #summariesNode}{@code (name)}.
   *
   * @param registry where the operator's counters go; null for none
   */
  public static ProcessorSupplier<String, PipelineRecord, String, SpecificRecord> supplier(
      String name, AnomalyConfig config, MeterRegistry registry) {
    StoreBuilder<?> store = Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(config.storeName()), Serdes.String(), Serdes.ByteArray())
        .withCachingEnabled()
        .withLoggingEnabled(java.util.Map.of());
    return new ProcessorSupplier<>() {
      @Override
      public AnomalyProcessor get() {
        return new AnomalyProcessor(config, scoresNode(name), summariesNode(name), registry);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(store);
      }
    };
  }

  /** Adds the processor node {@code name}, reading from {@code parents}, with its store. */
  public static Topology addTo(Topology topology, String name, AnomalyConfig config,
      MeterRegistry registry, String... parents) {
    return topology.addProcessor(name, supplier(name, config, registry), parents);
  }
}
