package io.sluice.operators.infer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.operators.OperatorMeters;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.ModelRef;
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
 * The batched, crash-safe infer operator.
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
 * operator decides only when to flush.
 */
public final class InferProcessor
    implements Processor<String, PipelineRecord, String, PipelineRecord> {

  private final InferSettings settings;
  private final TextModel model;
  private final MeterRegistry registry;
  private final String pipeline;
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

  public InferProcessor(String pipeline, InferSettings settings, TextModel model,
      MeterRegistry registry) {
    this.pipeline = pipeline;
    this.settings = settings;
    this.model = model;
    this.registry = registry;
  }

  @Override
  public void init(ProcessorContext<String, PipelineRecord> context) {
    this.context = context;
    this.buffer = context.getStateStore(settings.storeName());
    String task = context.taskId().toString();
    batchSize = OperatorMeters.BATCH_SIZE.summary(registry, "pipeline", pipeline);
    inferenceTime = OperatorMeters.INFERENCE_TIME.timer(registry, "pipeline", pipeline,
        "model", model.name());
    queueWait = OperatorMeters.QUEUE_WAIT.timer(registry, "pipeline", pipeline);
    flushFull = OperatorMeters.FLUSHES.counter(registry, "pipeline", pipeline, "trigger", "size");
    flushTokens = OperatorMeters.FLUSHES.counter(registry, "pipeline", pipeline,
        "trigger", "tokens");
    flushWait = OperatorMeters.FLUSHES.counter(registry, "pipeline", pipeline, "trigger", "wait");
    OperatorMeters.BUFFERED.gauge(registry, buffered, AtomicInteger::get, "pipeline", pipeline,
        "task", task);
    restore();
    long tick = Math.max(1, settings.maxWait().toMillis() / 4);
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
    int tokens = model.countTokens(text);
    record.value().getResult().setTokens(tokens);
    buffer.put(key(nextSequence++), record.value());
    arrivals.add(context.currentSystemTimeMs());
    buffered.set(arrivals.size());
    bufferedTokens += tokens;
    if (arrivals.size() >= settings.maxBatch()) {
      flushFull.increment();
      flush();
    } else if (bufferedTokens >= settings.maxTokens()) {
      flushTokens.increment();
      flush();
    }
  }

  private void onTick(long now) {
    if (!arrivals.isEmpty() && now - arrivals.get(0) >= settings.maxWait().toMillis()) {
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
    List<String> texts = new ArrayList<>(waiting.size());
    for (KeyValue<String, PipelineRecord> kv : waiting) {
      texts.add(kv.value.getResult().getText());
    }
    Timer.Sample sample = Timer.start(registry);
    List<TextVerdict> verdicts = model.infer(texts);
    sample.stop(inferenceTime);
    if (verdicts.size() != texts.size()) {
      throw new IllegalStateException("Model " + model.name() + " returned " + verdicts.size()
          + " verdicts for " + texts.size() + " texts");
    }
    batchSize.record(waiting.size());
    long now = context.currentSystemTimeMs();
    ModelRef ref = new ModelRef(model.name(), model.version());
    for (int i = 0; i < waiting.size(); i++) {
      PipelineRecord value = waiting.get(i).value;
      TextVerdict verdict = verdicts.get(i);
      InferenceResult result = value.getResult();
      if (settings.classify()) {
        result.setLabel(verdict.label());
        result.setConfidence(verdict.confidence());
      }
      if (settings.novelty()) {
        result.setNovelty(verdict.novelty());
        result.setNovel(verdict.novel());
      }
      result.setTokens(verdict.tokens());
      result.setModel(ref);
      if (i < arrivals.size() && arrivals.get(i) > 0) {
        queueWait.record(Math.max(0, now - arrivals.get(i)), TimeUnit.MILLISECONDS);
      }
      context.forward(new Record<>(result.getDeviceId(), value,
          result.getTimestamp().toEpochMilli()));
      buffer.delete(waiting.get(i).key);
    }
    arrivals.clear();
    buffered.set(0);
    bufferedTokens = 0;
  }

  private int tokensOf(PipelineRecord record) {
    Integer t = record.getResult().getTokens();
    return t != null ? t : model.countTokens(record.getResult().getText());
  }

  @Override
  public void close() {
    if (punctuation != null) {
      punctuation.cancel();
    }
  }

  static String key(long sequence) {
    return String.format("%019d", sequence);
  }
}
