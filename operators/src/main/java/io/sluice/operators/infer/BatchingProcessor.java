package io.sluice.operators.infer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.operators.OperatorMeters;
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
 * <p>Records without text pass straight through. The model groups texts of similar length; this
 * operator decides only when to flush. Meters carry the tags {@code pipeline} and
 * {@code operator} (infer or extract).
 */
public abstract class BatchingProcessor
    implements Processor<String, PipelineRecord, String, PipelineRecord> {

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
  private ProcessorContext<String, PipelineRecord> context;
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
  public void init(ProcessorContext<String, PipelineRecord> context) {
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
      context.forward(record);
      return;
    }
    int tokens = countTokens(text);
    record.value().getResult().setTokens(tokens);
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
      context.forward(new Record<>(result.getDeviceId(), records.get(i),
          result.getTimestamp().toEpochMilli()));
      buffer.delete(waiting.get(i).key);
    }
    arrivals.clear();
    buffered.set(0);
    bufferedTokens = 0;
  }

  private int tokensOf(PipelineRecord record) {
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
