package io.sluice.connectors.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Acknowledge only after Kafka, in arrival order; never acknowledge past a failure. */
class AckAfterKafkaTest {

  /** A fake MQTT connection that records acknowledgements and failures. */
  static final class FakeChannel implements AckAfterKafka.Channel {
    final List<Integer> acked = new CopyOnWriteArrayList<>();
    final List<Exception> failures = new CopyOnWriteArrayList<>();
    volatile boolean live = true;

    @Override
    public boolean live() {
      return live;
    }

    @Override
    public void acknowledge(int messageId, int qos) {
      acked.add(messageId);
    }

    @Override
    public void kafkaFailed(Exception error) {
      failures.add(error);
    }
  }

  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final AtomicInteger acknowledged = new AtomicInteger();
  private final List<Exception> qos0Lost = new CopyOnWriteArrayList<>();
  private final AckAfterKafka forwarder = new AckAfterKafka(producer, 100, "test-sender",
      acknowledged::incrementAndGet, qos0Lost::add);

  @AfterEach
  void close() {
    forwarder.close();
  }

  private static ProducerRecord<byte[], byte[]> record(int i) {
    return new ProducerRecord<>("t", ("k" + i).getBytes(), ("v" + i).getBytes());
  }

  private void awaitSent(int n) {
    await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == n);
  }

  @Test
  void acknowledgesNothingUntilKafkaConfirmsThenInArrivalOrder() throws Exception {
    FakeChannel channel = new FakeChannel();
    for (int id = 1; id <= 5; id++) {
      forwarder.submit(record(id), id, 1, channel);
    }
    awaitSent(5);
    assertThat(channel.acked).as("a slow Kafka holds every acknowledgement").isEmpty();
    assertThat(forwarder.pending()).isEqualTo(5);

    producer.completeNext();
    producer.completeNext();
    assertThat(channel.acked).containsExactly(1, 2);
    assertThat(forwarder.pending()).isEqualTo(3);
    while (producer.completeNext()) {
      // confirm the rest
    }
    assertThat(channel.acked).containsExactly(1, 2, 3, 4, 5);
    assertThat(acknowledged).hasValue(5);
    assertThat(forwarder.pending()).isZero();
  }

  @Test
  void aKafkaFailureIsReportedAndNothingAfterItIsAcknowledged() throws Exception {
    FakeChannel channel = new FakeChannel();
    for (int id = 1; id <= 4; id++) {
      forwarder.submit(record(id), id, 1, channel);
    }
    awaitSent(4);
    producer.completeNext();
    producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("broker gone"));
    producer.completeNext();
    producer.completeNext();
    assertThat(channel.acked).containsExactly(1);
    assertThat(channel.failures).hasSize(1);
    assertThat(channel.failures.get(0)).hasMessageContaining("broker gone");

    // The connection is dropped: the line is forgotten and the broker resends 2..4.
    channel.live = false;
    forwarder.forget();
    FakeChannel next = new FakeChannel();
    for (int id = 2; id <= 4; id++) {
      forwarder.submit(record(id), 100 + id, 1, next);
    }
    awaitSent(7);
    while (producer.completeNext()) {
      // confirm
    }
    assertThat(next.acked).containsExactly(102, 103, 104);
    assertThat(channel.acked).containsExactly(1);
  }

  @Test
  void afterAFailureNoLaterMessageOfThatConnectionGoesToKafka() throws Exception {
    FakeChannel channel = new FakeChannel();
    forwarder.submit(record(1), 1, 1, channel);
    awaitSent(1);
    producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("slow"));
    forwarder.submit(record(2), 2, 1, channel);
    forwarder.submit(record(3), 3, 1, channel);
    FakeChannel other = new FakeChannel();
    forwarder.submit(record(4), 4, 1, other);
    awaitSent(2);
    assertThat(new String(producer.history().get(1).value()))
        .as("2 and 3 are held back: in Kafka they could land ahead of 1").isEqualTo("v4");
    assertThat(channel.acked).isEmpty();
  }

  @Test
  void messagesOfADeadConnectionAreNotSentAndDoNotBlockTheNextOne() throws Exception {
    FakeChannel dead = new FakeChannel();
    dead.live = false;
    FakeChannel live = new FakeChannel();
    forwarder.submit(record(1), 1, 1, dead);
    forwarder.submit(record(2), 2, 1, live);
    awaitSent(1);
    assertThat(producer.history()).hasSize(1);
    assertThat(new String(producer.history().get(0).value())).isEqualTo("v2");
    producer.completeNext();
    assertThat(live.acked).containsExactly(2);
    assertThat(dead.acked).isEmpty();
  }

  @Test
  void qosZeroNeedsNoAcknowledgementAndAFailureIsCountedAsLost() throws Exception {
    FakeChannel channel = new FakeChannel();
    forwarder.submit(record(1), 0, 0, channel);
    awaitSent(1);
    assertThat(forwarder.pending()).isZero();
    producer.errorNext(new RuntimeException("nope"));
    assertThat(qos0Lost).hasSize(1);
    assertThat(channel.acked).isEmpty();
    assertThat(channel.failures).isEmpty();
  }
}
