package io.sluice.runtime.resolve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.operators.cloud.Resolution;
import io.sluice.operators.cloud.Resolver;
import io.sluice.runtime.AppMeters;
import io.sluice.runtime.resolve.internal.MinuteQuota;
import io.sluice.runtime.resolve.internal.ResolverPrompt;
import io.sluice.runtime.resolve.internal.RetryAfter;
import io.sluice.topology.spec.OpenAiModel;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves texts with a model behind an OpenAI-compatible API: one chat completion per text,
 * asking for one label of the label set through structured output.
 *
 * <p><b>Flow.</b> {@link #resolve} answers from the reply cache, or refuses at once when the
 * day's token budget is spent, or queues an attempt. A dispatcher starts queued attempts while
 * fewer than {@code maxConcurrency} are in flight, the minute's request and token quotas allow,
 * and the circuit breaker (resilience4j) permits; otherwise it looks again when the quota's
 * minute turns or the breaker's open wait ends. Requests go out on the JDK's HTTP client,
 * asynchronously; replies are handled on its threads.
 *
 * <p><b>Failures.</b> 429, 408, 5xx, timeouts and connection errors are transient: the attempt
 * is queued again after {@code Retry-After} when the server gave one, else after an exponential
 * backoff with equal jitter (the random source is injected), at most {@code maxRetries} times;
 * then the text is unresolved ("unavailable"). A 400 that names {@code response_format} switches
 * this resolver to {@code json_object} for good (servers without JSON Schema); one that names
 * {@code logprobs} stops asking for them. Other 4xx are unresolved at once ("refused"). A reply
 * that breaks the contract (not JSON, no label, a label outside the set) is asked once more,
 * then unresolved ("contract"). Every future completes normally: unresolved texts go to people.
 */
public final class OpenAiResolver implements Resolver, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OpenAiResolver.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CACHE_SIZE = 10_000;
  private static final Duration BACKOFF_BASE = Duration.ofMillis(250);
  private static final Duration BACKOFF_MOST = Duration.ofSeconds(20);

  /** What {@code /health} reports of the resolver. */
  public enum State { UP, BREAKER_OPEN, BUDGET_SPENT }

  private final String name;
  private final OpenAiModel api;
  private final ResolverPrompt prompt;
  private final URI endpoint;
  private final Clock clock;
  private final RandomGenerator random;
  private final HttpClient http;
  private final ExecutorService httpThreads;
  private final ScheduledExecutorService timers;
  private final CircuitBreaker breaker;
  private final ArrayDeque<Attempt> queue = new ArrayDeque<>();
  private final MinuteQuota requestQuota;
  private final MinuteQuota tokenQuota;
  private final Map<String, Resolution.Labelled> cache =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Resolution.Labelled> eldest) {
          return size() > CACHE_SIZE;
        }
      };
  private int active;
  private boolean wakeScheduled;
  private LocalDate budgetDay;
  private long tokensToday;
  private volatile ResolverPrompt.Format format = ResolverPrompt.Format.JSON_SCHEMA;
  private volatile boolean logprobs;
  private volatile boolean closed;
  private final MeterRegistry registry;
  private final Timer latency;
  private final Counter retries;
  private final Counter promptTokens;
  private final Counter completionTokens;
  private final Counter cost;
  private final Counter cacheHits;

  /** One text on its way: how often it failed, and the future its caller holds. */
  private static final class Attempt {
    final String text;
    final CompletableFuture<Resolution> result = new CompletableFuture<>();
    int transientFailures;
    int contractFailures;

    Attempt(String text) {
      this.text = text;
    }
  }

  /**
   * @param name the model's name in the topology
   * @param labels the label set, with descriptions and examples for the prompt
   * @param random draws the backoff jitter
   */
  public OpenAiResolver(String name, OpenAiModel api, List<ResolverPrompt.Label> labels,
      MeterRegistry registry, Clock clock, RandomGenerator random) {
    this.name = name;
    this.api = api;
    this.prompt = new ResolverPrompt(api.model(), labels, api.promptExamples());
    String base = api.baseUrl().toString();
    this.endpoint = URI.create((base.endsWith("/") ? base : base + "/") + "chat/completions");
    this.clock = clock;
    this.random = random;
    this.logprobs = api.logprobs();
    this.registry = registry;
    this.httpThreads = Executors.newFixedThreadPool(2, daemon("sluice-resolver-http-" + name));
    this.http = HttpClient.newBuilder().executor(httpThreads)
        .connectTimeout(api.timeout()).version(HttpClient.Version.HTTP_1_1).build();
    this.timers = Executors.newSingleThreadScheduledExecutor(
        daemon("sluice-resolver-timer-" + name));
    this.breaker = CircuitBreaker.of("resolver-" + name, CircuitBreakerConfig.custom()
        .failureRateThreshold(50)
        .slidingWindowSize(20)
        .minimumNumberOfCalls(10)
        .waitDurationInOpenState(Duration.ofSeconds(10))
        .permittedNumberOfCallsInHalfOpenState(2)
        .clock(clock)
        .build());
    this.requestQuota = new MinuteQuota(api.requestsPerMinute(), clock);
    this.tokenQuota = new MinuteQuota(api.tokensPerMinute(), clock);
    this.latency = AppMeters.RESOLVER_LATENCY.timer(registry, "model", name);
    this.retries = AppMeters.RESOLVER_RETRIES.counter(registry, "model", name);
    this.promptTokens = AppMeters.RESOLVER_TOKENS.counter(registry, "model", name,
        "type", "prompt");
    this.completionTokens = AppMeters.RESOLVER_TOKENS.counter(registry, "model", name,
        "type", "completion");
    this.cost = AppMeters.RESOLVER_COST.counter(registry, "model", name);
    this.cacheHits = AppMeters.RESOLVER_CACHE_HITS.counter(registry, "model", name);
    if (api.dailyTokenBudget() > 0) {
      AppMeters.RESOLVER_BUDGET_LEFT.gauge(registry, this, OpenAiResolver::budgetLeft,
          "model", name);
    }
    log.info("Resolver {}: {} at {} (maxConcurrency {}, timeout {}, maxRetries {}){}", name,
        api.model(), api.baseUrl(), api.maxConcurrency(), api.timeout(), api.maxRetries(),
        api.apiKey().isPresent() ? ", API key set" : "");
  }

  private static java.util.concurrent.ThreadFactory daemon(String threadName) {
    return r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String version() {
    return api.model();
  }

  /** Twice the concurrency, so the next calls are queued here when one completes. */
  @Override
  public int maxInFlight() {
    return 2 * api.maxConcurrency();
  }

  public State state() {
    synchronized (this) {
      if (budgetSpent()) {
        return State.BUDGET_SPENT;
      }
    }
    return breaker.getState() == CircuitBreaker.State.OPEN ? State.BREAKER_OPEN : State.UP;
  }

  @Override
  public CompletableFuture<Resolution> resolve(String text) {
    Attempt attempt = new Attempt(text);
    synchronized (this) {
      Resolution.Labelled cached = cache.get(text);
      if (cached != null) {
        cacheHits.increment();
        return CompletableFuture.completedFuture(cached);
      }
      if (budgetSpent()) {
        return CompletableFuture.completedFuture(budgetSpentResolution());
      }
      queue.add(attempt);
    }
    dispatch();
    return attempt.result;
  }

  private Resolution.Unresolved budgetSpentResolution() {
    return new Resolution.Unresolved("budget: the daily token budget of "
        + api.dailyTokenBudget() + " tokens is spent");
  }

  /** Starts queued attempts as far as concurrency, quotas and the breaker allow. */
  private void dispatch() {
    List<Attempt> start = new java.util.ArrayList<>();
    List<Attempt> refused = new java.util.ArrayList<>();
    synchronized (this) {
      while (!closed && active < api.maxConcurrency() && !queue.isEmpty()) {
        if (budgetSpent()) {
          refused.addAll(queue);
          queue.clear();
          break;
        }
        int estimate = prompt.estimateTokens(queue.peek().text);
        if (!requestQuota.fits(1) || !tokenQuota.fits(estimate)) {
          wakeIn(Duration.ofMillis(requestQuota.millisToNextMinute()));
          break;
        }
        if (!breaker.tryAcquirePermission()) {
          wakeIn(Duration.ofSeconds(1));
          break;
        }
        Attempt attempt = queue.poll();
        requestQuota.add(1);
        tokenQuota.add(estimate);
        active++;
        start.add(attempt);
      }
    }
    refused.forEach(a -> a.result.complete(budgetSpentResolution()));
    start.forEach(this::send);
  }

  /** Dispatches again after {@code delay}, once (the caller holds the lock). */
  private void wakeIn(Duration delay) {
    if (wakeScheduled || closed) {
      return;
    }
    wakeScheduled = true;
    timers.schedule(() -> {
      synchronized (this) {
        wakeScheduled = false;
      }
      dispatch();
    }, Math.max(1, delay.toMillis()), TimeUnit.MILLISECONDS);
  }

  private void send(Attempt attempt) {
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
        .timeout(api.timeout())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            prompt.request(attempt.text, format, logprobs)));
    api.apiKey().ifPresent(key -> request.header("Authorization", "Bearer " + key));
    long started = System.nanoTime();
    http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
        .whenComplete((response, error) -> {
          long took = System.nanoTime() - started;
          latency.record(took, TimeUnit.NANOSECONDS);
          synchronized (this) {
            active--;
          }
          try {
            handle(attempt, response, error, took);
          } catch (RuntimeException e) {
            log.warn("Resolver {}: reply could not be handled: {}", name, e.toString());
            attempt.result.complete(new Resolution.Unresolved("refused: " + e.getMessage()));
          }
          dispatch();
        });
  }

  private void handle(Attempt attempt, HttpResponse<String> response, Throwable error,
      long tookNanos) {
    if (error != null) {
      Throwable cause = error instanceof java.util.concurrent.CompletionException
          && error.getCause() != null ? error.getCause() : error;
      breaker.onError(tookNanos, TimeUnit.NANOSECONDS, cause);
      request("error");
      transientFailure(attempt, cause instanceof HttpTimeoutException ? "timeout" : "connection",
          Optional.empty(), cause.toString());
      return;
    }
    int status = response.statusCode();
    if (status == 200) {
      breaker.onSuccess(tookNanos, TimeUnit.NANOSECONDS);
      request("ok");
      reply(attempt, response.body());
      return;
    }
    request("error");
    Optional<Duration> retryAfter = RetryAfter.parse(
        response.headers().firstValue("Retry-After").orElse(null), clock);
    String message = errorMessage(response.body());
    if (status == 429) {
      breaker.releasePermission();
      transientFailure(attempt, "rate_limited", retryAfter, "HTTP 429 " + message);
    } else if (status == 408 || status >= 500) {
      breaker.onError(tookNanos, TimeUnit.NANOSECONDS,
          new IOException("HTTP " + status));
      transientFailure(attempt, "server", retryAfter, "HTTP " + status + " " + message);
    } else if (status == 400 && format == ResolverPrompt.Format.JSON_SCHEMA
        && (message.contains("response_format") || message.contains("json_schema"))) {
      breaker.releasePermission();
      format = ResolverPrompt.Format.JSON_OBJECT;
      log.warn("Resolver {}: the server refused response_format json_schema ({}); asking for"
          + " json_object and checking labels here from now on", name, message);
      requeue(attempt);
    } else if (status == 400 && logprobs && message.contains("logprobs")) {
      breaker.releasePermission();
      logprobs = false;
      log.warn("Resolver {}: the server refused logprobs ({}); confidences are {} from now on",
          name, message, api.assumedConfidence());
      requeue(attempt);
    } else {
      breaker.releasePermission();
      error("refused");
      attempt.result.complete(new Resolution.Unresolved("refused: HTTP " + status + " "
          + message));
    }
  }

  private void reply(Attempt attempt, String body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      contractFailure(attempt, "the response body is not JSON");
      return;
    }
    JsonNode usage = root.path("usage");
    countTokens(usage.path("prompt_tokens").asLong(0), usage.path("completion_tokens").asLong(0),
        prompt.estimateTokens(attempt.text));
    JsonNode choice = root.path("choices").path(0);
    JsonNode content = choice.path("message").path("content");
    ResolverPrompt.Reading reading = prompt.read(content.isTextual() ? content.textValue() : null,
        choice.path("finish_reason").asText(null));
    if (reading.label().isEmpty()) {
      contractFailure(attempt, reading.problem());
      return;
    }
    double confidence = api.assumedConfidence();
    JsonNode tokens = choice.path("logprobs").path("content");
    if (tokens.isArray() && !tokens.isEmpty()) {
      double sum = 0;
      for (JsonNode t : tokens) {
        sum += t.path("logprob").asDouble(0);
      }
      confidence = Math.max(0, Math.min(1, Math.exp(sum)));
    }
    Resolution.Labelled labelled = new Resolution.Labelled(reading.label().get(), confidence);
    synchronized (this) {
      cache.put(attempt.text, labelled);
    }
    attempt.result.complete(labelled);
  }

  private void countTokens(long prompted, long completed, long estimated) {
    promptTokens.increment(prompted);
    completionTokens.increment(completed);
    cost.increment(prompted / 1000.0 * api.pricePer1kPromptTokens()
        + completed / 1000.0 * api.pricePer1kCompletionTokens());
    synchronized (this) {
      tokenQuota.add(prompted + completed - estimated);
      rollBudgetDay();
      tokensToday += prompted + completed;
    }
  }

  private void transientFailure(Attempt attempt, String kind, Optional<Duration> retryAfter,
      String detail) {
    error(kind);
    attempt.transientFailures++;
    if (attempt.transientFailures > api.maxRetries()) {
      attempt.result.complete(new Resolution.Unresolved("unavailable: " + kind + " after "
          + attempt.transientFailures + " attempts (" + detail + ")"));
      return;
    }
    retries.increment();
    Duration wait = retryAfter.orElseGet(() -> backoff(attempt.transientFailures));
    if (closed) {
      return;
    }
    timers.schedule(() -> requeue(attempt), Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS);
  }

  /** Exponential backoff with equal jitter: half the step fixed, half drawn. */
  Duration backoff(int failures) {
    long step = BACKOFF_BASE.toMillis() << Math.min(failures - 1, 20);
    step = Math.min(step, BACKOFF_MOST.toMillis());
    return Duration.ofMillis(step / 2 + (long) (random.nextDouble() * (step / 2.0)));
  }

  private void contractFailure(Attempt attempt, String problem) {
    error("contract");
    attempt.contractFailures++;
    if (attempt.contractFailures > 1) {
      attempt.result.complete(new Resolution.Unresolved("contract: " + problem
          + " (asked twice)"));
      return;
    }
    retries.increment();
    requeue(attempt);
  }

  private void requeue(Attempt attempt) {
    synchronized (this) {
      if (closed) {
        return;
      }
      queue.addFirst(attempt);
    }
    dispatch();
  }

  private void request(String outcome) {
    AppMeters.RESOLVER_REQUESTS.counter(registry, "model", name, "outcome", outcome).increment();
  }

  private void error(String kind) {
    AppMeters.RESOLVER_ERRORS.counter(registry, "model", name, "kind", kind).increment();
  }

  private static String errorMessage(String body) {
    try {
      JsonNode error = JSON.readTree(body).path("error");
      String message = error.path("message").asText("");
      String param = error.path("param").asText("");
      return (message + (param.isEmpty() ? "" : " (param " + param + ")")).strip();
    } catch (IOException | RuntimeException e) {
      String s = body == null ? "" : body.strip();
      return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
  }

  private boolean budgetSpent() {
    if (api.dailyTokenBudget() <= 0) {
      return false;
    }
    rollBudgetDay();
    return tokensToday >= api.dailyTokenBudget();
  }

  private void rollBudgetDay() {
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    if (!today.equals(budgetDay)) {
      budgetDay = today;
      tokensToday = 0;
    }
  }

  private synchronized double budgetLeft() {
    rollBudgetDay();
    return Math.max(0, api.dailyTokenBudget() - tokensToday);
  }

  /**
   * Stops dispatching. Texts still queued or in flight are left unanswered: their records stay
   * in the resolve operator's store and are sent again when the topology next runs.
   */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      queue.clear();
    }
    timers.shutdownNow();
    httpThreads.shutdownNow();
  }
}
