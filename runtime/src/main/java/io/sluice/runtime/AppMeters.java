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
          + " cloud and gateway"),
  RESOLVER_REQUESTS("sluice.resolver.requests", "counter", "requests",
      "HTTP requests the cloud's OpenAI-compatible resolver sent (tags model, outcome: ok, error)"),
  RESOLVER_ERRORS("sluice.resolver.errors", "counter", "errors",
      "Failed resolver requests and broken replies (tags model, kind: rate_limited, server,"
          + " timeout, connection, refused, contract)"),
  RESOLVER_RETRIES("sluice.resolver.retries", "counter", "requests",
      "Resolver requests sent again after a transient error or a reply that broke the contract"),
  RESOLVER_LATENCY("sluice.resolver.latency", "timer", "seconds",
      "Time of one resolver HTTP request, reply read"),
  RESOLVER_TOKENS("sluice.resolver.tokens", "counter", "tokens",
      "Tokens the resolver's server reported in usage (tags model, type: prompt, completion)"),
  RESOLVER_COST("sluice.resolver.cost", "counter", "currency",
      "Estimated cost of the resolver's tokens, from pricePer1kPromptTokens and"
          + " pricePer1kCompletionTokens"),
  RESOLVER_BUDGET_LEFT("sluice.resolver.budget.left", "gauge", "tokens",
      "Tokens left of the resolver's dailyTokenBudget today (UTC); absent without a budget"),
  REVIEW_PENDING("sluice.review.pending", "gauge", "items",
      "Records routed to review that no person has decided yet"),
  REVIEW_DECISIONS("sluice.review.decisions", "counter", "items",
      "Review items people decided (tag decision: label, reject); a label goes to the feedback"
          + " topic like a cloud verdict"),
  RESOLVER_CACHE_HITS("sluice.resolver.cache.hits", "counter", "requests",
      "Texts the resolver answered from its reply cache, without a request");

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

  public <T> io.micrometer.core.instrument.Gauge gauge(MeterRegistry registry, T target,
      java.util.function.ToDoubleFunction<T> value, String... tags) {
    return io.micrometer.core.instrument.Gauge.builder(meterName, target, value)
        .description(description).baseUnit(unit).tags(tags).register(registry);
  }

  public Counter counter(MeterRegistry registry, String... tags) {
    return Counter.builder(meterName).description(description).baseUnit(unit).tags(tags)
        .register(registry);
  }
}
