package io.sluice.operators.anomaly.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.operators.OperatorMeters;
import io.sluice.operators.anomaly.AnomalyConfig;
import io.sluice.operators.anomaly.AnomalyDetector;
import io.sluice.operators.anomaly.AnomalyScore;
import io.sluice.operators.anomaly.DetectorCodec;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.ModelRef;
import io.sluice.schemas.RecordKind;
import io.sluice.schemas.PipelineRecord;
import io.sluice.schemas.SensorWindowSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores every sensor reading and summarises the normal ones per tumbling window.
 *
 * <p>Design. State lives in a logged key-value store keyed by device and metric, one value per
 * series ({@link SeriesState}: detector plus open window), written after every reading, so the
 * changelog always matches what was emitted and a restarted task resumes exactly. Decoding a
 * detector rebuilds its sorted window, so live detectors are also kept in a bounded LRU map; the
 * map is only a cache of the store (cleared on init, refilled from the store on a miss). Each
 * reading goes on to the scores child as the same {@link PipelineRecord}, its result now carrying
 * the anomaly score and flag. A window's summary of normal
 * readings goes to the summaries child when a reading of the same series falls in a later window,
 * or, for series that went quiet, from a stream-time punctuation once stream time has passed the
 * window's end by one more window. A reading older than the open window is scored and folded into
 * the open window. Time is event time throughout.
 */
public final class AnomalyProcessor
    implements Processor<String, PipelineRecord, String, SpecificRecord> {

  private static final Logger LOG = LoggerFactory.getLogger(AnomalyProcessor.class);
  /** About 13 KB per live detector with the defaults: at most ~13 MB per task. */
  private static final int CACHE_ENTRIES = 1_000;
  private static final String MODEL_NAME = "sluice-anomaly";

  private final AnomalyConfig config;
  private final DetectorCodec codec;
  private final String scoresChild;
  private final String summariesChild;
  private final long windowMillis;
  private final ModelRef model;
  private final Counter readings;
  private final Counter flagged;
  private final Counter summaries;
  private final Counter resets;

  private ProcessorContext<String, SpecificRecord> context;
  private KeyValueStore<String, byte[]> store;
  private Map<String, SeriesState> live;

  public AnomalyProcessor(AnomalyConfig config, String scoresChild, String summariesChild,
      MeterRegistry registry) {
    this.config = config;
    this.codec = new DetectorCodec(config.detector());
    this.scoresChild = scoresChild;
    this.summariesChild = summariesChild;
    this.windowMillis = config.window().toMillis();
    this.model = new ModelRef(MODEL_NAME,
        config.detector().method().name().toLowerCase(java.util.Locale.ROOT) + "-"
            + Long.toHexString(config.detector().stateFingerprint()));
    this.readings = counter(registry, OperatorMeters.ANOMALY_READINGS);
    this.flagged = counter(registry, OperatorMeters.ANOMALY_FLAGGED);
    this.summaries = counter(registry, OperatorMeters.ANOMALY_SUMMARIES);
    this.resets = counter(registry, OperatorMeters.ANOMALY_STATE_RESETS);
  }

  private Counter counter(MeterRegistry registry, OperatorMeters meter) {
    return registry == null ? null : meter.counter(registry, "store", config.storeName());
  }

  private static void increment(Counter counter) {
    if (counter != null) {
      counter.increment();
    }
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.store = context.getStateStore(config.storeName());
    this.live = new LinkedHashMap<>(256, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, SeriesState> eldest) {
        return size() > CACHE_ENTRIES;
      }
    };
    context.schedule(config.window(), PunctuationType.STREAM_TIME, this::closeQuietWindows);
  }

  /** The store key of a series: device and metric, separated by a unit separator. */
  public static String seriesKey(String deviceId, String metric) {
    return deviceId + '\u001f' + metric;
  }

  @Override
  public void process(Record<String, PipelineRecord> record) {
    PipelineRecord value = record.value();
    if (value == null || value.getResult().getValue() == null
        || value.getResult().getMetric() == null) {
      return;
    }
    InferenceResult reading = value.getResult();
    long timestamp = reading.getTimestamp().toEpochMilli();
    String key = seriesKey(reading.getDeviceId(), reading.getMetric());
    SeriesState state = load(key, reading);

    long windowStart = Math.floorDiv(timestamp, windowMillis) * windowMillis;
    if (!state.window.open()) {
      state.window.reset(windowStart);
    } else if (windowStart > state.window.start()) {
      emitSummary(state, record.timestamp());
      state.window.reset(windowStart);
    }

    AnomalyScore score = state.detector.score(timestamp, reading.getValue());
    increment(readings);
    if (score.anomaly()) {
      increment(flagged);
      state.window.addAnomaly();
    } else {
      state.window.addNormal(reading.getValue());
    }
    store.put(key, state.encode(codec));

    reading.setKind(RecordKind.SENSOR);
    reading.setLabel(score.anomaly() ? "anomaly" : "normal");
    reading.setAnomalyScore(score.score());
    reading.setAnomaly(score.anomaly());
    reading.setModel(model);
    context.forward(new Record<String, SpecificRecord>(record.key(), value, record.timestamp(),
        record.headers()), scoresChild);
  }

  private SeriesState load(String key, InferenceResult reading) {
    SeriesState state = live.get(key);
    if (state != null) {
      return state;
    }
    byte[] stored = store.get(key);
    if (stored != null) {
      try {
        state = SeriesState.decode(stored, codec);
      } catch (IllegalArgumentException e) {
        increment(resets);
        LOG.warn("Anomaly state of device '{}' metric '{}' in store '{}' cannot be used ({});"
                + " starting this series afresh", reading.getDeviceId(), reading.getMetric(),
            config.storeName(), e.getMessage());
      }
    }
    if (state == null) {
      state = new SeriesState(reading.getSource(), reading.getDeviceId(), reading.getMetric(),
          AnomalyDetector.create(config.detector()), new WindowSummary());
    }
    live.put(key, state);
    return state;
  }

  private void emitSummary(SeriesState state, long recordTimestamp) {
    WindowSummary window = state.window;
    if (window.count() + window.anomalies() == 0) {
      return;
    }
    boolean any = window.count() > 0;
    SensorWindowSummary summary = SensorWindowSummary.newBuilder()
        .setSource(state.source)
        .setDeviceId(state.deviceId)
        .setMetric(state.metric)
        .setWindowStart(Instant.ofEpochMilli(window.start()))
        .setWindowEnd(Instant.ofEpochMilli(window.start() + windowMillis))
        .setCount(window.count())
        .setAnomalies(window.anomalies())
        .setMin(any ? window.min() : null)
        .setMax(any ? window.max() : null)
        .setMean(any ? window.mean() : null)
        .setStd(any ? window.std() : null)
        .build();
    increment(summaries);
    long timestamp = Math.max(recordTimestamp, window.start() + windowMillis - 1);
    context.forward(new Record<String, SpecificRecord>(state.deviceId, summary, timestamp),
        summariesChild);
  }

  /** Emits and closes the windows of series that have had no reading since their window ended. */
  private void closeQuietWindows(long streamTime) {
    List<KeyValue<String, byte[]>> closed = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, byte[]> entry = all.next();
        SeriesState state = live.get(entry.key);
        if (state == null) {
          try {
            state = SeriesState.decode(entry.value, codec);
          } catch (IllegalArgumentException e) {
            continue; // reset, with a warning, when the series next has a reading
          }
        }
        WindowSummary window = state.window;
        if (window.open() && window.start() + 2 * windowMillis <= streamTime) {
          emitSummary(state, streamTime);
          window.close();
          closed.add(KeyValue.pair(entry.key, state.encode(codec)));
        }
      }
    }
    store.putAll(closed);
  }
}
