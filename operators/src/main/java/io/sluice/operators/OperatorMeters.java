package io.sluice.operators;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.function.ToDoubleFunction;

/** Every meter the stream operators register: name, type, unit and meaning, declared once. */
public enum OperatorMeters {
  RECORDS_IN("sluice.records.in", "counter", "records", "Records read from a source topic"),
  RECORDS_DECODED("sluice.records.decoded", "counter", "records", "Records decoded and validated"),
  BYTES_IN("sluice.bytes.in", "counter", "bytes", "Payload bytes read from source topics"),
  DLQ("sluice.dlq", "counter", "records",
      "Records sent to the dead-letter topic, by source and reason"),
  SPARKPLUG_BIRTHS("sluice.sparkplug.births", "counter", "messages",
      "Sparkplug NBIRTH and DBIRTH messages decoded, by source and type"),
  SPARKPLUG_DEATHS("sluice.sparkplug.deaths", "counter", "messages",
      "Sparkplug NDEATH and DDEATH messages that ended a session, by source and type"),
  SPARKPLUG_REBIRTH_REQUESTS("sluice.sparkplug.rebirth.requests", "counter", "commands",
      "Rebirth requests (NCMD Node Control/Rebirth) sent to edge nodes, by source and reason"),
  SPARKPLUG_SEQUENCE_GAPS("sluice.sparkplug.sequence.gaps", "counter", "messages",
      "Sparkplug messages whose seq was not the one expected after the previous message"),
  SPARKPLUG_STALE_NODES("sluice.sparkplug.stale.nodes", "gauge", "nodes",
      "Edge nodes whose metrics are stale: dead, out of sequence, or not born yet"),
  SPARKPLUG_METRICS_SKIPPED("sluice.sparkplug.metrics.skipped", "counter", "metrics",
      "Sparkplug metric values that are not readings of this source (by type: text in a sensor"
          + " source, bytes, dates, nulls)"),
  ROUTED("sluice.routed", "counter", "records", "Records routed, by route and reason"),
  ROUTED_BYTES("sluice.routed.bytes", "counter", "bytes", "Payload bytes routed, by route"),
  BATCH_SIZE("sluice.infer.batch.size", "summary", "records", "Records per inference batch"),
  INFERENCE_TIME("sluice.infer.time", "timer", "seconds", "Time of one batched model call"),
  QUEUE_WAIT("sluice.infer.queue.wait", "timer", "seconds",
      "Time a record waited in the infer buffer before its batch ran"),
  FLUSHES("sluice.infer.flushes", "counter", "batches",
      "Batches flushed, by trigger: size, tokens or wait"),
  BUFFERED("sluice.infer.buffered", "gauge", "records", "Records waiting in the infer buffer"),
  CLOUD_ACCEPTED("sluice.cloud.accepted", "counter", "records",
      "Forwarded records the cloud accepted (first copy of an event)"),
  CLOUD_RESOLVED("sluice.cloud.resolved", "counter", "records",
      "Forwarded records the cloud's resolver labelled (tag resolver)"),
  CLOUD_REVIEWED("sluice.cloud.reviewed", "counter", "records",
      "Forwarded records the resolver could not label, sent to the review topic (tag reason)"),
  CLOUD_RESOLVING("sluice.cloud.resolving", "gauge", "records",
      "Forwarded records waiting for the resolver or in flight, per task (tag state)"),
  CLOUD_DUPLICATES("sluice.cloud.duplicates", "counter", "records",
      "Forwarded records the cloud dropped as duplicates of an event already seen"),
  REDACTED("sluice.redacted", "counter", "matches", "Matches redacted, by pattern"),
  REDACTION_FAILURES("sluice.redaction.failures", "counter", "records",
      "Records a redaction pattern could not finish on; marked restricted (fail closed)"),
  EXTRACTED("sluice.extracted", "counter", "fields", "Fields extracted by patterns and gazetteers"),
  EXTRACTION_FAILURES("sluice.extraction.failures", "counter", "records",
      "Records an extraction pattern could not finish on; no fields added"),
  POLICY_BLOCKED("sluice.policy.blocked", "counter", "records",
      "Restricted records a rule would have sent to the cloud, kept local instead"),
  ANOMALY_READINGS("sluice.anomaly.readings", "counter", "readings",
      "Sensor readings scored by a window step (tag store)"),
  ANOMALY_FLAGGED("sluice.anomaly.flagged", "counter", "readings",
      "Readings flagged as anomalies (tag store)"),
  ANOMALY_SUMMARIES("sluice.anomaly.summaries", "counter", "summaries",
      "Window summaries emitted (tag store)"),
  GENERATED("sluice.generate.records", "counter", "records",
      "Records a generate step finished (tag outcome: valid, invalid, deadline)"),
  GENERATED_TOKENS("sluice.generate.tokens", "counter", "tokens",
      "Tokens generate steps generated"),
  GENERATE_TRUNCATED("sluice.generate.truncated", "counter", "records",
      "Records whose prompt a generate step cut to fit the model"),
  ANOMALY_STATE_RESETS("sluice.anomaly.state.resets", "counter", "series",
      "Series whose stored state was unreadable or from other settings and was started afresh"
          + " (tag store)");

  private final String meterName;
  private final String type;
  private final String unit;
  private final String description;

  OperatorMeters(String meterName, String type, String unit, String description) {
    this.meterName = meterName;
    this.type = type;
    this.unit = unit;
    this.description = description;
  }

  public String meterName() {
    return meterName;
  }

  public String type() {
    return type;
  }

  public String unit() {
    return unit;
  }

  public String description() {
    return description;
  }

  public Counter counter(MeterRegistry registry, String... tags) {
    return Counter.builder(meterName).description(description).baseUnit(unit).tags(tags)
        .register(registry);
  }

  public DistributionSummary summary(MeterRegistry registry, String... tags) {
    return DistributionSummary.builder(meterName).description(description).baseUnit(unit)
        .tags(tags).publishPercentileHistogram().register(registry);
  }

  /** Registers this gauge, reading {@code value} of {@code target} (held weakly by Micrometer). */
  public <T> Gauge gauge(MeterRegistry registry, T target, ToDoubleFunction<T> value,
      String... tags) {
    return Gauge.builder(meterName, target, value).description(description).baseUnit(unit)
        .tags(tags).register(registry);
  }

  public Timer timer(MeterRegistry registry, String... tags) {
    return Timer.builder(meterName).description(description).tags(tags)
        .publishPercentileHistogram().register(registry);
  }
}
