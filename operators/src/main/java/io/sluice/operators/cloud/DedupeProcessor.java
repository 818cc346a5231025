package io.sluice.operators.cloud;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.operators.OperatorMeters;
import io.sluice.schemas.ForwardedRecord;
import io.sluice.schemas.PipelineRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Drops forwarded records whose event id was already seen within the retention. The cloud link is
 * at-least-once, so a record can arrive twice; ids make that harmless. Seen ids live in a logged
 * store (so a restarted cloud still knows them), keyed by event id, valued with the wall-clock
 * time first seen; a punctuation removes ids older than the retention.
 *
 * <p>Records are keyed by event id upstream, so all copies of one event meet in one task.
 */
public final class DedupeProcessor
    implements Processor<String, ForwardedRecord, String, PipelineRecord> {

  private final String storeName;
  private final Duration retention;
  private final MeterRegistry registry;
  private ProcessorContext<String, PipelineRecord> context;
  private KeyValueStore<String, Long> seen;
  private Counter duplicates;
  private Counter accepted;

  public DedupeProcessor(String storeName, Duration retention, MeterRegistry registry) {
    this.storeName = storeName;
    this.retention = retention;
    this.registry = registry;
  }

  @Override
  public void init(ProcessorContext<String, PipelineRecord> context) {
    this.context = context;
    this.seen = context.getStateStore(storeName);
    this.duplicates = OperatorMeters.CLOUD_DUPLICATES.counter(registry);
    this.accepted = OperatorMeters.CLOUD_ACCEPTED.counter(registry);
    Duration every = retention.dividedBy(10).compareTo(Duration.ofMinutes(10)) > 0
        ? Duration.ofMinutes(10) : retention.dividedBy(10).isZero()
            ? Duration.ofSeconds(1) : retention.dividedBy(10);
    context.schedule(every, PunctuationType.WALL_CLOCK_TIME, this::expire);
  }

  @Override
  public void process(Record<String, ForwardedRecord> record) {
    ForwardedRecord forwarded = record.value();
    String id = forwarded.getEventId();
    if (seen.get(id) != null) {
      duplicates.increment();
      return;
    }
    seen.put(id, context.currentSystemTimeMs());
    accepted.increment();
    PipelineRecord value = PipelineRecord.newBuilder()
        .setResult(forwarded.getResult())
        .setPayload(forwarded.getPayload())
        .setForwardReason(forwarded.getReason())
        .setGateway(forwarded.getGateway())
        .build();
    context.forward(record.withKey(id).withValue(value));
  }

  private void expire(long now) {
    long cutoff = now - retention.toMillis();
    List<String> old = new ArrayList<>();
    try (KeyValueIterator<String, Long> it = seen.all()) {
      while (it.hasNext()) {
        KeyValue<String, Long> kv = it.next();
        if (kv.value < cutoff) {
          old.add(kv.key);
        }
      }
    }
    old.forEach(seen::delete);
  }
}
