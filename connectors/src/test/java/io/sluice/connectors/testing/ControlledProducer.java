package io.sluice.connectors.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.metrics.KafkaMetric;

/**
 * A real Kafka producer made slow or failing on demand: with the gate closed, Kafka's
 * confirmations are held back (the records are written, the caller does not hear of it) until
 * {@link #open()}; {@link #failNext(int)} makes sends fail as if Kafka timed out. Counts sends
 * whose confirmation the caller has not received, and the most there ever were.
 */
public final class ControlledProducer implements Producer<byte[], byte[]> {

  private final Producer<byte[], byte[]> delegate;
  private final List<Runnable> held = new ArrayList<>();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private final AtomicInteger outstanding = new AtomicInteger();
  private final AtomicInteger peak = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private boolean gateOpen = true;

  public ControlledProducer(Producer<byte[], byte[]> delegate) {
    this.delegate = delegate;
  }

  /** Holds back Kafka's confirmations from now on. */
  public synchronized void closeGate() {
    gateOpen = false;
  }

  /** Releases every held confirmation and lets the next ones through. */
  public void open() {
    List<Runnable> release;
    synchronized (this) {
      gateOpen = true;
      release = new ArrayList<>(held);
      held.clear();
    }
    release.forEach(Runnable::run);
  }

  public void failNext(int n) {
    failuresLeft.set(n);
  }

  /** Sends not yet confirmed to the caller. */
  public int outstanding() {
    return outstanding.get();
  }

  /** The most sends ever outstanding at once. */
  public int peakOutstanding() {
    return peak.get();
  }

  public int failed() {
    return failed.get();
  }

  @Override
  public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
    return send(record, null);
  }

  @Override
  public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
    peak.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
    if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      failed.incrementAndGet();
      outstanding.decrementAndGet();
      TimeoutException error = new TimeoutException("injected: Kafka did not answer in time");
      if (callback != null) {
        callback.onCompletion(null, error);
      }
      return CompletableFuture.failedFuture(error);
    }
    return delegate.send(record, (meta, error) -> {
      Runnable confirm = () -> {
        outstanding.decrementAndGet();
        if (callback != null) {
          callback.onCompletion(meta, error);
        }
      };
      boolean now;
      synchronized (this) {
        now = gateOpen;
        if (!now) {
          held.add(confirm);
        }
      }
      if (now) {
        confirm.run();
      }
    });
  }

  @Override
  public void flush() {
    delegate.flush();
  }

  @Override
  public List<PartitionInfo> partitionsFor(String topic) {
    return delegate.partitionsFor(topic);
  }

  @Override
  public Map<MetricName, ? extends Metric> metrics() {
    return delegate.metrics();
  }

  @Override
  public Uuid clientInstanceId(Duration timeout) {
    return delegate.clientInstanceId(timeout);
  }

  @Override
  public void close() {
    open();
    delegate.close();
  }

  @Override
  public void close(Duration timeout) {
    open();
    delegate.close(timeout);
  }

  @Override
  public void initTransactions() {
    throw new UnsupportedOperationException("not transactional");
  }

  @Override
  public void beginTransaction() {
    throw new UnsupportedOperationException("not transactional");
  }

  @Override
  public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets,
      ConsumerGroupMetadata groupMetadata) {
    throw new UnsupportedOperationException("not transactional");
  }

  @Override
  public void commitTransaction() {
    throw new UnsupportedOperationException("not transactional");
  }

  @Override
  public void abortTransaction() {
    throw new UnsupportedOperationException("not transactional");
  }

  @Override
  public void registerMetricForSubscription(KafkaMetric metric) {
    delegate.registerMetricForSubscription(metric);
  }

  @Override
  public void unregisterMetricFromSubscription(KafkaMetric metric) {
    delegate.unregisterMetricFromSubscription(metric);
  }
}
