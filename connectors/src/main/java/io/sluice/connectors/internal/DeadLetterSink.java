package io.sluice.connectors.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.connectors.ConnectorMeters;
import io.sluice.connectors.KafkaCluster;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.DeadLetter;
import io.sluice.schemas.DeadLetterType;
import io.sluice.schemas.DeadLetters;
import io.sluice.schemas.LogLimiter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a relay puts a record it can never deliver (the MQTT broker refuses it for good, the
 * cloud cluster finds it too large): a dead letter on the gateway's dead-letter topic, with the
 * record's first bytes, its size, where it came from and why. The relay passes over the record
 * only once Kafka has the dead letter; if the dead letter cannot be written, the relay treats it
 * as a failure and tries the record again, so nothing is passed over unrecorded.
 */
public final class DeadLetterSink implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DeadLetterSink.class);

  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final String relay;
  private final int keptBytes;
  private final MeterRegistry registry;
  private final Clock clock;
  private final LogLimiter logLimiter;

  /**
   * @param cluster the gateway's Kafka cluster, which holds {@code topic}
   * @param relay names the relay in meters and logs ({@code mqtt-egress}, {@code cloud-link})
   * @param keptBytes how many of a record's first bytes its dead letter keeps
   */
  public DeadLetterSink(KafkaCluster cluster, String topic, String relay, int keptBytes,
      MeterRegistry registry, Clock clock) {
    this.producer = new KafkaProducer<>(cluster.properties(Map.of(
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.CLIENT_ID_CONFIG, "sluice-" + relay + "-dlq")),
        new ByteArraySerializer(), new ByteArraySerializer());
    this.topic = topic;
    this.relay = relay;
    this.keptBytes = keptBytes;
    this.registry = registry;
    this.clock = clock;
    this.logLimiter = new LogLimiter(clock, 60_000, 10);
  }

  /**
   * Writes the dead letter of {@code record}; then runs {@code written}, or {@code failed} when
   * Kafka did not take it.
   *
   * @param reason a short name for meters ({@code refused-0x87}, {@code record-too-large})
   * @param why the sentence that goes into the dead letter
   */
  public void write(ConsumerRecord<byte[], byte[]> record, DeadLetterType type, String reason,
      String why, Runnable written, Consumer<Exception> failed) {
    byte[] value = record.value() == null ? new byte[0] : record.value();
    byte[] kept = value.length <= keptBytes ? value : Arrays.copyOf(value, keptBytes);
    RecordHeaders headers = new RecordHeaders(record.headers().toArray());
    headers.add(io.sluice.schemas.RecordHeaders.PAYLOAD_SIZE,
        Integer.toString(value.length).getBytes(StandardCharsets.UTF_8));
    if (kept.length < value.length) {
      headers.add(io.sluice.schemas.RecordHeaders.PAYLOAD_TRUNCATED,
          "true".getBytes(StandardCharsets.UTF_8));
    }
    DeadLetter dead = DeadLetters.of(record.key(), kept, headers, record.topic(),
        record.partition(), record.offset(), type, why, Instant.ofEpochMilli(clock.millis()));
    try {
      producer.send(new ProducerRecord<>(topic, null, record.key(),
          AvroSerdes.deadLetter().serializer().serialize(topic, dead)), (meta, error) -> {
            if (error != null) {
              failed.accept(error);
              return;
            }
            ConnectorMeters.RELAY_PERMANENT_ERRORS.counter(registry, "relay", relay, "reason",
                reason).increment();
            long suppressed = logLimiter.admit(reason);
            if (suppressed >= 0) {
              log.warn("{}: record {}-{}@{} ({} bytes) can never be delivered and went to {}:"
                  + " {}{}", relay, record.topic(), record.partition(), record.offset(),
                  value.length, topic, why,
                  suppressed > 0 ? " (" + suppressed + " more like it not logged)" : "");
            }
            written.run();
          });
    } catch (RuntimeException e) {
      failed.accept(e);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
