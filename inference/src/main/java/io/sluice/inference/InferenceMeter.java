package io.sluice.inference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.function.Supplier;

/**
 * Every meter of the inference module, declared once with its name, type, unit and description,
 * so a metrics reference can be generated from this enum. Every meter is tagged {@code model} with
 * the bundle id ({@code name@version}).
 */
public enum InferenceMeter {
  TEXTS("sluice.inference.texts", Type.COUNTER, "texts",
      "Texts run through the model (cache hits excluded)."),
  BATCH_SIZE("sluice.inference.batch.size", Type.SUMMARY, "texts",
      "Texts in one model call."),
  BATCH_TOKENS("sluice.inference.batch.tokens", Type.SUMMARY, "tokens",
      "Tokens in one model call, padding included (batch size times padded length)."),
  PADDING_RATIO("sluice.inference.batch.padding.ratio", Type.SUMMARY, "ratio",
      "Share of a model call's tokens that are padding (0 = none)."),
  INFERENCE_TIME("sluice.inference.time", Type.TIMER, "seconds",
      "Time of one model call, from token ids to pooled vectors."),
  QUEUE_WAIT("sluice.inference.queue.wait", Type.TIMER, "seconds",
      "Time a request waited in the dynamic batcher before its batch started."),
  QUEUE_DEPTH("sluice.inference.queue.depth", Type.GAUGE, "requests",
      "Requests waiting in the dynamic batcher."),
  CACHE_HITS("sluice.inference.cache.hits", Type.COUNTER, "texts",
      "Texts answered from the result cache without running the model."),
  CACHE_MISSES("sluice.inference.cache.misses", Type.COUNTER, "texts",
      "Texts not found in the result cache."),
  TRUNCATIONS("sluice.inference.truncations", Type.COUNTER, "texts",
      "Texts cut at the bundle's max tokens."),
  NOVEL("sluice.inference.novel", Type.COUNTER, "texts",
      "Classified texts flagged novel."),
  HEAD_TRAINING_TIME("sluice.inference.head.training", Type.TIMER, "seconds",
      "Time to train a classification head and swap it in."),
  HEAD_VERSION("sluice.inference.head.version", Type.GAUGE, "version",
      "Version of the classification head now serving (rises with every swap).");

  /** The kinds of meter this module registers. */
  public enum Type { COUNTER, SUMMARY, TIMER, GAUGE }

  private final String meterName;
  private final Type type;
  private final String baseUnit;
  private final String description;

  InferenceMeter(String meterName, Type type, String baseUnit, String description) {
    this.meterName = meterName;
    this.type = type;
    this.baseUnit = baseUnit;
    this.description = description;
  }

  public String meterName() {
    return meterName;
  }

  public Type type() {
    return type;
  }

  public String baseUnit() {
    return baseUnit;
  }

  public String description() {
    return description;
  }

  public Counter counter(MeterRegistry registry, String model) {
    check(Type.COUNTER);
    return Counter.builder(meterName).baseUnit(baseUnit).description(description)
        .tags(tags(model)).register(registry);
  }

  public DistributionSummary summary(MeterRegistry registry, String model) {
    check(Type.SUMMARY);
    return DistributionSummary.builder(meterName).baseUnit(baseUnit).description(description)
        .tags(tags(model)).register(registry);
  }

  public Timer timer(MeterRegistry registry, String model) {
    check(Type.TIMER);
    return Timer.builder(meterName).description(description).tags(tags(model))
        .register(registry);
  }

  public void gauge(MeterRegistry registry, String model, Supplier<Number> value) {
    check(Type.GAUGE);
    Gauge.builder(meterName, value).baseUnit(baseUnit)
        .description(description).tags(tags(model)).register(registry);
  }

  private static Tags tags(String model) {
    return Tags.of("model", model);
  }

  private void check(Type expected) {
    if (type != expected) {
      throw new IllegalStateException(meterName + " is a " + type + ", not a " + expected);
    }
  }
}
