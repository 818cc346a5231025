package io.sluice.operators.infer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.operators.OperatorMeters;
import io.sluice.schemas.DeadLetter;
import io.sluice.schemas.DeadLetterType;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.PipelineRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * A stream operator that runs a model over batches of text records, crash-safe: the shared part
 * of the infer and extract operators, which differ only in what a batch's results write into the
 * records ({@link #apply}).
 *
 * <p><b>Buffer.</b> Each text record is written to a logged key-value store (changelogged to
 * Kafka) under a zero-padded sequence number, so the store iterates in arrival order. The store
 * write and the input offset commit in the same exactly-once transaction; a crash after it keeps
 * the record in the store (restored from the changelog on restart), a crash before it aborts both
 * and the record is read again. Either way it is processed once.
 *
 * <p><b>Flush.</b> When the buffer holds {@code maxBatch} records, when its tokens reach
 * {@code maxTokens}, or when the oldest record has waited {@code maxWait} (checked by a wall-clock
 * punctuation), every buffered record goes to the model in one call; results are forwarded in
 * arrival order (so each device's records keep their order) and the store entries deleted, all in
 * the transaction that commits next. Records restored after a restart count as due at once.
 *
 * <p>A subclass may turn a record away while applying ({@link #deadLetter}): it then goes to the
 * dead-letter child, with its payload and the reason, instead of onward.
 *
 * <p>Records without text pass straight through. The model groups texts of similar length; this
 * operator decides only when to flush. Meters carry the tags {@code pipeline} and
 * {@code operator} (infer or extract).
 */
public abstract class BatchingProcessor
    implements Processor<String, PipelineRecord, String, Object> {

  /**
   * When a buffer flushes.
   *
   * @param storeName name of the logged buffer store
   * @param maxBatch flush when this many records wait
   * @param maxTokens flush when the waiting records' tokens reach this budget
   * @param maxWait flush when the oldest record has waited this long (wall clock)
   */
  public record Flush(String storeName, int maxBatch, int maxTokens, Duration maxWait) {

    public Flush {
      if (maxBatch < 1 || maxTokens < 1 || maxWait.isNegative()) {
        throw new IllegalArgumentException("maxBatch and maxTokens must be positive and maxWait"
            + " not negative");
      }
    }
  }

  private final Flush flush;
  private final MeterRegistry registry;
  private final String pipeline;
  private final String operator;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, PipelineRecord> buffer;
  private final List<Long> arrivals = new ArrayList<>();
  private final AtomicInteger buffered = new AtomicInteger();
  private long nextSequence;
  private int bufferedTokens;
  private Cancellable punctuation;
  private DistributionSummary batchSize;
  private Timer inferenceTime;
  private Timer queueWait;
  private Counter flushFull;
  private Counter flushTokens;
  private Counter flushWait;
  private String deadLetterChild;
  private String onwardChild;
  /** Records {@link #apply} turned away, with the reason, until the flush forwards them. */
  private final java.util.Map<PipelineRecord, String> rejected = new java.util.IdentityHashMap<>();

  /**
   * @param operator what the operator does, the {@code operator} tag of its meters
   */
  protected BatchingProcessor(String pipeline, String operator, Flush flush,
      MeterRegistry registry) {
    this.pipeline = pipeline;
    this.operator = operator;
    this.flush = flush;
    this.registry = registry;
  }

  /**
   * Sends records that {@link #apply} turns away to the child node {@code name} (the dead-letter
   * sink); call before the processor starts.
   */
  protected final void deadLettersTo(String name) {
    this.deadLetterChild = name;
  }

  /**
   * Forwards records onward to the child {@code name} only (needed once the processor has a
   * dead-letter child as well); call before the processor starts.
   */
  protected final void forwardsTo(String name) {
    this.onwardChild = name;
  }

  private void onward(Record<String, Object> record) {
    if (onwardChild == null) {
      context.forward(record);
    } else {
      context.forward(record, onwardChild);
    }
  }

  /**
   * From {@link #apply}: {@code record} goes to the dead-letter child with {@code reason}
   * instead of onward.
   *
   * @throws IllegalStateException when no dead-letter child was named
   */
  protected final void deadLetter(PipelineRecord record, String reason) {
    if (deadLetterChild == null) {
      throw new IllegalStateException(operator + " has no dead-letter child: " + reason);
    }
    rejected.put(record, reason);
  }

  /**
   * Whether {@link #process} stores the token count in the record's {@code tokens} (what the
   * router reads); false for operators whose count must not replace an earlier step's.
   */
  protected boolean storesTokens() {
    return true;
  }

  /** The model's name, for the inference-time meter. */
  protected abstract String modelName();

  /** Tokens the model reads for {@code text}, to keep batches within budget. */
  protected abstract int countTokens(String text);

  /**
   * Runs the model over the records' texts (all non-null, in arrival order) and writes its
   * results into the records' {@link InferenceResult}s.
   */
  protected abstract void apply(List<PipelineRecord> records);

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.buffer = context.getStateStore(flush.storeName());
    String task = context.taskId().toString();
    batchSize = OperatorMeters.BATCH_SIZE.summary(registry, "pipeline", pipeline,
        "operator", operator);
    inferenceTime = OperatorMeters.INFERENCE_TIME.timer(registry, "pipeline", pipeline,
        "operator", operator, "model", modelName());
    queueWait = OperatorMeters.QUEUE_WAIT.timer(registry, "pipeline", pipeline,
        "operator", operator);
    flushFull = OperatorMeters.FLUSHES.counter(registry, "pipeline", pipeline,
        "operator", operator, "trigger", "size");
    flushTokens = OperatorMeters.FLUSHES.counter(registry, "pipeline", pipeline,
        "operator", operator, "trigger", "tokens");
    flushWait = OperatorMeters.FLUSHES.counter(registry, "pipeline", pipeline,
        "operator", operator, "trigger", "wait");
    OperatorMeters.BUFFERED.gauge(registry, buffered, AtomicInteger::get, "pipeline", pipeline,
        "operator", operator, "task", task);
    restore();
    long tick = Math.max(1, flush.maxWait().toMillis() / 4);
    punctuation = context.schedule(Duration.ofMillis(Math.max(tick, 1)),
        PunctuationType.WALL_CLOCK_TIME, this::onTick);
  }

  private void restore() {
    try (KeyValueIterator<String, PipelineRecord> it = buffer.all()) {
      while (it.hasNext()) {
        KeyValue<String, PipelineRecord> kv = it.next();
        arrivals.add(0L); // restored: due at once
        bufferedTokens += tokensOf(kv.value);
        nextSequence = Math.max(nextSequence, Long.parseLong(kv.key) + 1);
      }
    }
    buffered.set(arrivals.size());
  }

  @Override
  public void process(Record<String, PipelineRecord> record) {
    String text = record.value().getResult().getText();
    if (text == null) {
      onward(new Record<String, Object>(record.key(), record.value(),
          record.timestamp(), record.headers()));
      return;
    }
    int tokens = countTokens(text);
    if (storesTokens()) {
      record.value().getResult().setTokens(tokens);
    }
    buffer.put(key(nextSequence++), record.value());
    arrivals.add(context.currentSystemTimeMs());
    buffered.set(arrivals.size());
    bufferedTokens += tokens;
    if (arrivals.size() >= flush.maxBatch()) {
      flushFull.increment();
      flush();
    } else if (bufferedTokens >= flush.maxTokens()) {
      flushTokens.increment();
      flush();
    }
  }

  private void onTick(long now) {
    if (!arrivals.isEmpty() && now - arrivals.get(0) >= flush.maxWait().toMillis()) {
      flushWait.increment();
      flush();
    }
  }

  private void flush() {
    List<KeyValue<String, PipelineRecord>> waiting = new ArrayList<>();
    try (KeyValueIterator<String, PipelineRecord> it = buffer.all()) {
      it.forEachRemaining(waiting::add);
    }
    if (waiting.isEmpty()) {
      return;
    }
    List<PipelineRecord> records = new ArrayList<>(waiting.size());
    for (KeyValue<String, PipelineRecord> kv : waiting) {
      records.add(kv.value);
    }
    Timer.Sample sample = Timer.start(registry);
    apply(records);
    sample.stop(inferenceTime);
    batchSize.record(waiting.size());
    long now = context.currentSystemTimeMs();
    for (int i = 0; i < waiting.size(); i++) {
      InferenceResult result = records.get(i).getResult();
      if (i < arrivals.size() && arrivals.get(i) > 0) {
        queueWait.record(Math.max(0, now - arrivals.get(i)), TimeUnit.MILLISECONDS);
      }
      String reason = rejected.remove(records.get(i));
      if (reason != null) {
        context.forward(new Record<String, Object>(result.getSource(),
            deadLetterOf(records.get(i), reason), result.getTimestamp().toEpochMilli()),
            deadLetterChild);
      } else {
        onward(new Record<String, Object>(result.getDeviceId(), records.get(i),
            result.getTimestamp().toEpochMilli()));
      }
      buffer.delete(waiting.get(i).key);
    }
    rejected.clear();
    arrivals.clear();
    buffered.set(0);
    bufferedTokens = 0;
  }

  /**
   * A dead letter for a record turned away mid-pipeline: the payload as it arrived, the source's
   * name in place of a topic (the input offset is behind us), and the event's ids as headers.
   */
  private DeadLetter deadLetterOf(PipelineRecord record, String reason) {
    InferenceResult result = record.getResult();
    java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
    headers.put("eventId", result.getEventId());
    headers.put("deviceId", result.getDeviceId());
    headers.put("pipeline", pipeline);
    headers.put("operator", operator);
    return DeadLetter.newBuilder()
        .setRaw(record.getPayload())
        .setKey(null)
        .setSourceTopic(result.getSource())
        .setPartition(-1)
        .setOffset(-1)
        .setErrorType(DeadLetterType.PROCESSING_ERROR)
        .setReason(reason)
        .setHeaders(headers)
        .setFailedAt(java.time.Instant.ofEpochMilli(context.currentSystemTimeMs()))
        .build();
  }

  private int tokensOf(PipelineRecord record) {
    if (!storesTokens()) {
      return countTokens(record.getResult().getText());
    }
    Integer t = record.getResult().getTokens();
    return t != null ? t : countTokens(record.getResult().getText());
  }

  @Override
  public void close() {
    if (punctuation != null) {
      punctuation.cancel();
    }
  }

  /** The store key of the n-th buffered record: zero-padded, so keys sort in arrival order. */
  public static String key(long sequence) {
    return String.format("%019d", sequence);
  }
}
