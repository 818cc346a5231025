package io.sluice.connectors.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Poison records in any mix with good ones: each record Kafka refuses for good is replaced by
 * its dead letter in the same place in line, so every message is acknowledged exactly once, in
 * arrival order, once its record or its dead letter is written, and nothing waits behind a
 * poison one. (A passing error stopping the line is in {@link AckAfterKafkaTest}.)
 */
class AckAfterKafkaPoisonTest {

  @Provide
  Arbitrary<List<Integer>> outcomes() {
    // 0 written, 1 too large, 2 an invalid topic
    return Arbitraries.integers().between(0, 2).list().ofMinSize(1).ofMaxSize(40);
  }

  @Property(tries = 60)
  void everyMessageIsAcknowledgedOnceInOrderAndEveryPoisonOneDeadLettered(
      @ForAll("outcomes") List<Integer> outcomes) throws Exception {
    MockProducer<byte[], byte[]> producer =
        new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    List<String> reasons = new CopyOnWriteArrayList<>();
    AckAfterKafka forwarder = new AckAfterKafka(producer, 100, "poison-test", () -> { },
        e -> { }, (refused, reason, error) -> {
          reasons.add(reason);
          return new ProducerRecord<>("dlq", refused.key(),
              ("dead " + new String(refused.value())).getBytes());
        });
    AckAfterKafkaTest.FakeChannel channel = new AckAfterKafkaTest.FakeChannel();
    int n = outcomes.size();
    try {
      for (int i = 0; i < n; i++) {
        forwarder.submit(new ProducerRecord<>("in", ("k" + i).getBytes(), ("m" + i).getBytes()),
            i, 1, channel);
      }
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(2)).until(() -> producer.history().size() == n);
      List<String> expectedDead = new ArrayList<>();
      List<String> expectedReasons = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        switch (outcomes.get(i)) {
          case 0 -> producer.completeNext();
          case 1 -> {
            producer.errorNext(new RecordTooLargeException("2 MB"));
            expectedDead.add("dead m" + i);
            expectedReasons.add("record-too-large");
          }
          default -> {
            producer.errorNext(new InvalidTopicException("bad name"));
            expectedDead.add("dead m" + i);
            expectedReasons.add("invalid-topic");
          }
        }
      }
      int total = n + expectedDead.size();
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(2)).until(() -> producer.history().size() == total);
      while (producer.completeNext()) {
        // the dead letters are written
      }
      List<Integer> all = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        all.add(i);
      }
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(2)).until(() -> channel.acked.size() == n);
      assertThat(channel.acked).isEqualTo(all);
      assertThat(channel.failures).isEmpty();
      assertThat(reasons).isEqualTo(expectedReasons);
      assertThat(producer.history().subList(n, total)).extracting(r -> new String(r.value()))
          .isEqualTo(expectedDead);
      assertThat(producer.history().subList(n, total)).allMatch(r -> r.topic().equals("dlq"));
      assertThat(forwarder.pending()).isZero();
    } finally {
      forwarder.close();
    }
  }
}
