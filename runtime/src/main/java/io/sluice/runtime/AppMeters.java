package io.sluice.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** Meters of the runtime itself: name, type, unit and meaning, declared once. */
public enum AppMeters {
  FEEDBACK_RECEIVED("sluice.feedback.received", "counter", "records",
      "Feedback records read from the cloud's feedback topic"),
  FEEDBACK_TAUGHT("sluice.feedback.taught", "counter", "examples",
      "Feedback examples handed to the gateway's classifiers to learn"),
  FEEDBACK_DUPLICATES("sluice.feedback.duplicates", "counter", "records",
      "Feedback records skipped because the same event and label were taught before (the cloud"
          + " link is at-least-once)"),
  FEEDBACK_LEARN_LATENCY("sluice.feedback.learn.latency", "timer", "seconds",
      "Per feedback example, from the cloud's verdict (its decidedAt) to the first gateway head"
          + " that knows it serving; includes the link's transit and any clock skew between"
          + " cloud and gateway");

  private final String meterName;
  private final String type;
  private final String unit;
  private final String description;

  AppMeters(String meterName, String type, String unit, String description) {
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

  public Timer timer(MeterRegistry registry, String... tags) {
    return Timer.builder(meterName).description(description).tags(tags)
        .publishPercentiles(0.5, 0.95).register(registry);
  }

  public Counter counter(MeterRegistry registry, String... tags) {
    return Counter.builder(meterName).description(description).baseUnit(unit).tags(tags)
        .register(registry);
  }
}
