package io.sluice.runtime.resolve;

import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.ForwardReason;
import io.sluice.schemas.ForwardedRecord;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.RecordKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Forwarded records as a gateway's cloud link delivers them, for benchmarks and tests that feed
 * a cloud topology without a gateway in front of it.
 */
public final class ResolverTraffic {

  private ResolverTraffic() {}

  /** A forwarded text note from gateway {@code line-1}, device {@code press-1}. */
  public static ForwardedRecord forwarded(String eventId, String text) {
    Instant now = Instant.now();
    InferenceResult result = InferenceResult.newBuilder()
        .setEventId(eventId).setSource("notes").setDeviceId("press-1")
        .setTimestamp(now).setKind(RecordKind.TEXT).setText(text).setRoute("cloud")
        .setLabel("electrical").setConfidence(0.3).setFields(List.of()).build();
    return ForwardedRecord.newBuilder().setEventId(eventId).setSource("notes")
        .setGateway("line-1").setReason(ForwardReason.LOW_CONFIDENCE).setResult(result)
        .setPayload(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)))
        .setForwardedAt(now).build();
  }

  /** A producer of forwarded records keyed by event id, as the cloud link writes them. */
  public static KafkaProducer<String, ForwardedRecord> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(p, new StringSerializer(),
        AvroSerdes.forwardedRecord().serializer());
  }
}
