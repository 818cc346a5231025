package io.sluice.operators.cloud;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.operators.OperatorMeters;
import io.sluice.operators.ReviewAttributes;
import io.sluice.operators.infer.BatchingProcessor;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.ModelRef;
import io.sluice.schemas.PipelineRecord;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The cloud's resolve operator for a remote model: many calls in flight, none of them waited on
 * by the stream thread, and every record answered exactly once.
 *
 * <p><b>Buffer.</b> As in {@link BatchingProcessor}, each record is first written to a logged
 * store under a zero-padded sequence number, in the transaction that commits its input offset.
 * It stays there until its verdict (to the verdict child) or its review entry (to the review
 * child) is forwarded; the store delete commits in the same transaction as that output. An
 * instance that dies with calls in flight leaves their records in the store: whoever takes the
 * task restores them and calls again, so nothing is lost and nothing is answered twice.
 *
 * <p><b>Calls.</b> Up to {@link Resolver#maxInFlight()} calls run at once; the rest wait in
 * arrival order (their keys in memory, the records in the store). A wall-clock punctuation
 * forwards the calls that completed, in completion order, and starts the next ones; so does each
 * arriving record. The resolver's futures complete on its own threads; this operator only
 * looks at them on the stream thread.
 *
 * <p>An unresolved record goes to the review child with its reason in the attribute
 * {@value #REVIEW_REASON}; without a review child (in a gateway pipeline, where the route
 * decides) it goes on to the verdict child unlabelled, with confidence 0 and the same attribute.
 * Records without text pass straight to the verdict child.
 */
public final class ResolveProcessor implements Processor<String, PipelineRecord, String,
    PipelineRecord> {

  /** The attribute that says why a record went to review. */
  public static final String REVIEW_REASON = ReviewAttributes.REASON;
  /** The attribute that names the gateway that forwarded a record sent to review. */
  public static final String REVIEW_GATEWAY = ReviewAttributes.GATEWAY;

  private final String storeName;
  private final Resolver resolver;
  private final String verdictChild;
  private final String reviewChild;
  private final Duration tick;
  private final MeterRegistry registry;
  private ProcessorContext<String, PipelineRecord> context;
  private KeyValueStore<String, PipelineRecord> store;
  private final ArrayDeque<String> waiting = new ArrayDeque<>();
  private final Map<String, Call> inFlight = new LinkedHashMap<>();
  private final AtomicInteger waitingCount = new AtomicInteger();
  private final AtomicInteger inFlightCount = new AtomicInteger();
  private long nextSequence;
  private Cancellable punctuation;

  private record Call(PipelineRecord record, long timestamp,
      CompletableFuture<Resolution> reply) {}

  /**
   * @param verdictChild where labelled records go (and, without a review child, all of them)
   * @param reviewChild where unresolved records go; null to send them on unlabelled
   * @param tick how often completed calls are looked for when no record arrives
   */
  public ResolveProcessor(String storeName, Resolver resolver, String verdictChild,
      String reviewChild, Duration tick, MeterRegistry registry) {
    this.storeName = storeName;
    this.resolver = resolver;
    this.verdictChild = verdictChild;
    this.reviewChild = reviewChild;
    this.tick = tick;
    this.registry = registry;
  }

  @Override
  public void init(ProcessorContext<String, PipelineRecord> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
    String task = context.taskId().toString();
    OperatorMeters.CLOUD_RESOLVING.gauge(registry, waitingCount, AtomicInteger::get,
        "task", task, "state", "waiting");
    OperatorMeters.CLOUD_RESOLVING.gauge(registry, inFlightCount, AtomicInteger::get,
        "task", task, "state", "in_flight");
    try (KeyValueIterator<String, PipelineRecord> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, PipelineRecord> kv = it.next();
        waiting.add(kv.key); // restored: a call that was in flight when an instance died
        nextSequence = Math.max(nextSequence, Long.parseLong(kv.key) + 1);
      }
    }
    punctuation = context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, now -> pump());
    pump();
  }

  @Override
  public void process(Record<String, PipelineRecord> record) {
    if (record.value().getResult().getText() == null) {
      context.forward(record, verdictChild);
      return;
    }
    String key = BatchingProcessor.key(nextSequence++);
    store.put(key, record.value());
    waiting.add(key);
    pump();
  }

  /** Forwards what completed, then starts calls up to the limit. */
  private void pump() {
    Iterator<Map.Entry<String, Call>> it = inFlight.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Call> e = it.next();
      Call call = e.getValue();
      if (!call.reply().isDone()) {
        continue;
      }
      answer(call, call.reply().join());
      store.delete(e.getKey());
      it.remove();
    }
    while (inFlight.size() < resolver.maxInFlight() && !waiting.isEmpty()) {
      String key = waiting.poll();
      PipelineRecord record = store.get(key);
      if (record == null) {
        continue;
      }
      long timestamp = record.getResult().getTimestamp().toEpochMilli();
      inFlight.put(key, new Call(record, timestamp,
          resolver.resolve(record.getResult().getText())));
    }
    waitingCount.set(waiting.size());
    inFlightCount.set(inFlight.size());
  }

  private void answer(Call call, Resolution resolution) {
    InferenceResult result = call.record().getResult();
    result.setModel(new ModelRef(resolver.name(), resolver.version()));
    if (resolution instanceof Resolution.Labelled labelled) {
      result.setLabel(labelled.label());
      result.setConfidence(labelled.confidence());
      OperatorMeters.CLOUD_RESOLVED.counter(registry, "resolver", resolver.name()).increment();
      context.forward(new Record<>(reviewChild == null ? result.getDeviceId()
          : result.getEventId(), call.record(), call.timestamp()), verdictChild);
    } else {
      Resolution.Unresolved unresolved = (Resolution.Unresolved) resolution;
      Map<String, String> attributes = new LinkedHashMap<>(result.getAttributes());
      attributes.put(REVIEW_REASON, unresolved.reason());
      if (call.record().getGateway() != null) {
        attributes.put(REVIEW_GATEWAY, call.record().getGateway());
      }
      result.setAttributes(attributes);
      OperatorMeters.CLOUD_REVIEWED.counter(registry, "reason", reasonTag(unresolved.reason()))
          .increment();
      if (reviewChild == null) {
        result.setLabel(null);
        result.setConfidence(0.0);
        context.forward(new Record<>(result.getDeviceId(), call.record(), call.timestamp()),
            verdictChild);
        return;
      }
      result.setRoute("review");
      context.forward(new Record<>(result.getEventId(), call.record(), call.timestamp()),
          reviewChild);
    }
  }

  /** The first words of a reason, a bounded set, for the meter tag. */
  private static String reasonTag(String reason) {
    int colon = reason.indexOf(':');
    String head = colon < 0 ? reason : reason.substring(0, colon);
    return head.length() > 40 ? head.substring(0, 40) : head;
  }

  @Override
  public void close() {
    if (punctuation != null) {
      punctuation.cancel();
    }
    // Calls still in flight are abandoned: their records stay in the store for whoever runs the
    // task next.
    inFlight.values().forEach(c -> c.reply().cancel(false));
    inFlight.clear();
    waiting.clear();
  }
}
