package io.sluice.operators.decode;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.operators.OperatorMeters;
import io.sluice.schemas.DeadLetters;
import io.sluice.schemas.LogLimiter;
import io.sluice.schemas.DeadLetter;
import io.sluice.schemas.DeadLetterType;
import io.sluice.schemas.PipelineRecord;
import io.sluice.schemas.RecordHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first operator of every pipeline: raw bytes in, a {@link PipelineRecord} out to the next
 * operator, or a {@link DeadLetter} with the raw bytes and the reason to the dead-letter sink. It
 * never throws on bad input, so one bad message cannot stop the stream.
 */
public final class DecodeProcessor implements Processor<byte[], byte[], String, Object> {

  private static final Logger log = LoggerFactory.getLogger(DecodeProcessor.class);

  private final String source;
  private final PayloadDecoder decoder;
  private final String next;
  private final String deadLetters;
  private final MeterRegistry registry;
  private final Clock clock;
  private final Map<DeadLetterType, Counter> dlqCounters = new EnumMap<>(DeadLetterType.class);
  private final LogLimiter logLimiter;
  private ProcessorContext<String, Object> context;
  private Counter in;
  private Counter decoded;
  private Counter bytesIn;

  /**
   * @param next name of the child that takes decoded records
   * @param deadLetters name of the child that takes dead letters
   */
  public DecodeProcessor(String source, PayloadDecoder decoder, String next, String deadLetters,
      MeterRegistry registry, Clock clock) {
    this.source = source;
    this.decoder = decoder;
    this.next = next;
    this.deadLetters = deadLetters;
    this.registry = registry;
    this.clock = clock;
    this.logLimiter = new LogLimiter(clock, 60_000, 10);
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.in = OperatorMeters.RECORDS_IN.counter(registry, "source", source);
    this.decoded = OperatorMeters.RECORDS_DECODED.counter(registry, "source", source);
    this.bytesIn = OperatorMeters.BYTES_IN.counter(registry, "source", source);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    in.increment();
    byte[] payload = record.value();
    bytesIn.increment(payload == null ? 0 : payload.length);
    RecordMetadata meta = context.recordMetadata().orElse(null);
    String topic = meta == null ? "unknown" : meta.topic();
    int partition = meta == null ? -1 : meta.partition();
    long offset = meta == null ? -1 : meta.offset();
    String deviceId = record.key() == null ? header(record, RecordHeaders.DEVICE_ID)
        : new String(record.key(), StandardCharsets.UTF_8);
    String receivedHeader = header(record, RecordHeaders.RECEIVED_AT);
    Instant receivedAt = Instant.ofEpochMilli(record.timestamp());
    if (receivedHeader != null) {
      try {
        receivedAt = Instant.ofEpochMilli(Long.parseLong(receivedHeader));
      } catch (NumberFormatException ignored) {
        // keep the record timestamp
      }
    }
    IngestContext ingest =
        new IngestContext(source, deviceId, topic, partition, offset, receivedAt);
    try {
      PipelineRecord decodedRecord = decoder.decode(payload, ingest);
      decoded.increment();
      context.forward(new Record<String, Object>(decodedRecord.getResult().getDeviceId(),
          decodedRecord, decodedRecord.getResult().getTimestamp().toEpochMilli(),
          record.headers()), next);
    } catch (DecodeException e) {
      deadLetter(record, topic, partition, offset, e.type(), e.getMessage());
    } catch (RuntimeException e) {
      log.error("Unexpected failure decoding {}-{}@{} from source {}: {}", topic, partition,
          offset, source, e.toString());
      deadLetter(record, topic, partition, offset, DeadLetterType.PROCESSING_ERROR,
          "decoder failed: " + e);
    }
  }

  private void deadLetter(Record<byte[], byte[]> record, String topic, int partition,
      long offset, DeadLetterType type, String reason) {
    dlqCounters.computeIfAbsent(type, t -> OperatorMeters.DLQ.counter(registry, "source", source,
        "reason", t.name())).increment();
    long suppressed = logLimiter.admit(type.name());
    if (suppressed >= 0) {
      log.warn("Dead letter from source {} ({}-{}@{}): {}: {}{}", source, topic, partition,
          offset, type, reason, suppressed > 0 ? " (" + suppressed + " more " + type
              + " dead letters not logged in the last minute)" : "");
    }
    DeadLetter dead = DeadLetters.of(record.key(), record.value(), record.headers(), topic,
        partition, offset, type, reason, Instant.ofEpochMilli(clock.millis()));
    context.forward(new Record<String, Object>(source, dead, record.timestamp()), deadLetters);
  }

  private static String header(Record<byte[], byte[]> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
