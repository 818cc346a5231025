package io.sluice.lab.eval.nab;

import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.ForwardReason;
import io.sluice.schemas.ForwardedRecord;
import io.sluice.schemas.InferenceResult;
import io.sluice.schemas.ModelRef;
import io.sluice.schemas.RecordKind;
import io.sluice.schemas.SensorReading;
import io.sluice.schemas.SensorWindowSummary;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Counts the bytes a gateway would take in and send on for NAB series under the default routing:
 * every reading arrives as a {@code SensorReading}; a flagged reading leaves as a
 * {@code ForwardedRecord} (reason ANOMALY, carrying its {@code InferenceResult} and the reading as
 * payload); the normal readings of each tumbling window leave as one {@code SensorWindowSummary}.
 * Sizes are of the Avro single-object encoding the gateway writes to Kafka.
 */
public final class NabBandwidth {

  private final Serializer<SensorReading> readings = AvroSerdes.sensorReading().serializer();
  private final Serializer<ForwardedRecord> forwarded = AvroSerdes.forwardedRecord().serializer();
  private final Serializer<SensorWindowSummary> summaries =
      AvroSerdes.sensorWindowSummary().serializer();
  private final long windowMillis;
  private final ModelRef model;
  private long ingested;
  private long forwardedBytes;
  private long forwardedRecords;
  private long summaryRecords;

  public NabBandwidth(long windowMillis, ModelRef model) {
    this.windowMillis = windowMillis;
    this.model = model;
  }

  public long bytesIngested() {
    return ingested;
  }

  public long bytesForwarded() {
    return forwardedBytes;
  }

  public long anomaliesForwarded() {
    return forwardedRecords;
  }

  public long summariesForwarded() {
    return summaryRecords;
  }

  /** Accounts one series given its per-reading scores and the detector threshold. */
  public void add(NabSeries series, double[] scores, double threshold) {
    String device = series.name();
    long windowStart = Long.MIN_VALUE;
    Stats stats = new Stats();
    for (int i = 0; i < series.size(); i++) {
      long time = series.timestamps()[i];
      double value = series.values()[i];
      SensorReading reading = SensorReading.newBuilder().setEventId(device + "#" + i)
          .setSource("nab").setDeviceId(device).setTimestamp(Instant.ofEpochMilli(time))
          .setMetric("value").setValue(value).build();
      byte[] readingBytes = readings.serialize("in", reading);
      ingested += readingBytes.length;

      long start = Math.floorDiv(time, windowMillis) * windowMillis;
      if (start > windowStart) {
        flush(device, windowStart, stats);
        windowStart = start;
        stats = new Stats();
      }
      boolean anomaly = scores[i] >= threshold;
      if (anomaly) {
        stats.anomalies++;
        InferenceResult result = InferenceResult.newBuilder().setEventId(reading.getEventId())
            .setSource("nab").setDeviceId(device).setTimestamp(reading.getTimestamp())
            .setKind(RecordKind.SENSOR).setLabel("anomaly").setAnomalyScore(scores[i])
            .setModel(model).setRoute("cloud").setValue(value).setMetric("value").build();
        ForwardedRecord record = ForwardedRecord.newBuilder().setEventId(reading.getEventId())
            .setSource("nab").setGateway("nab-eval").setReason(ForwardReason.ANOMALY)
            .setResult(result).setPayload(ByteBuffer.wrap(readingBytes))
            .setForwardedAt(reading.getTimestamp()).build();
        forwardedBytes += forwarded.serialize("forward", record).length;
        forwardedRecords++;
      } else {
        stats.add(value);
      }
    }
    flush(device, windowStart, stats);
  }

  private void flush(String device, long windowStart, Stats stats) {
    if (windowStart == Long.MIN_VALUE || stats.count + stats.anomalies == 0) {
      return;
    }
    boolean any = stats.count > 0;
    double mean = any ? stats.sum / stats.count : 0;
    SensorWindowSummary summary = SensorWindowSummary.newBuilder().setSource("nab")
        .setDeviceId(device).setMetric("value").setWindowStart(Instant.ofEpochMilli(windowStart))
        .setWindowEnd(Instant.ofEpochMilli(windowStart + windowMillis)).setCount(stats.count)
        .setAnomalies(stats.anomalies).setMin(any ? stats.min : null)
        .setMax(any ? stats.max : null).setMean(any ? mean : null)
        .setStd(any ? Math.sqrt(Math.max(0, stats.sumSquares / stats.count - mean * mean)) : null)
        .build();
    forwardedBytes += summaries.serialize("forward", summary).length;
    summaryRecords++;
  }

  private static final class Stats {
    long count;
    long anomalies;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double sum;
    double sumSquares;

    void add(double value) {
      count++;
      min = Math.min(min, value);
      max = Math.max(max, value);
      sum += value;
      sumSquares += value * value;
    }
  }
}
