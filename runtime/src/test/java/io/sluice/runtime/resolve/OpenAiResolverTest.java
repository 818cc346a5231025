package io.sluice.runtime.resolve;

import static io.sluice.runtime.resolve.ScriptedOpenAiServer.Fault.NONE;
import static io.sluice.runtime.resolve.ScriptedOpenAiServer.Fault.NOT_JSON;
import static io.sluice.runtime.resolve.ScriptedOpenAiServer.Fault.NO_SCHEMA;
import static io.sluice.runtime.resolve.ScriptedOpenAiServer.Fault.RATE_LIMITED;
import static io.sluice.runtime.resolve.ScriptedOpenAiServer.Fault.SERVER_ERROR;
import static io.sluice.runtime.resolve.ScriptedOpenAiServer.Fault.SLOW;
import static io.sluice.runtime.resolve.ScriptedOpenAiServer.Fault.WRONG_LABEL;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.operators.cloud.Resolution;
import io.sluice.runtime.AppMeters;
import io.sluice.runtime.resolve.internal.ResolverPrompt;
import io.sluice.runtime.resolve.internal.RetryAfter;
import io.sluice.topology.spec.OpenAiModel;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible resolver against a real HTTP server that misbehaves on cue. */
class OpenAiResolverTest {

  static final List<ResolverPrompt.Label> LABELS = List.of(
      new ResolverPrompt.Label("electrical", "electrical faults", List.of("breaker tripped",
          "fuse blown", "no power", "motor dead")),
      new ResolverPrompt.Label("hydraulic", "leaks, pumps and oil", List.of("hose leaking")));

  final MeterRegistry registry = new SimpleMeterRegistry();
  final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  ScriptedOpenAiServer server(List<ScriptedOpenAiServer.Fault> faults, long latencyMillis) {
    ScriptedOpenAiServer server = ScriptedOpenAiServer.start(new ScriptedOpenAiServer.Settings(
        latencyMillis, 3_000, 1, ScriptedOpenAiServer.script(faults),
        text -> text.contains("leak") ? "hydraulic" : "electrical"));
    open.add(server);
    return server;
  }

  OpenAiResolver resolver(ScriptedOpenAiServer server, OpenAiModel settings, Clock clock) {
    OpenAiResolver resolver = new OpenAiResolver("llm", settings, LABELS, registry, clock,
        new Random(1));
    open.add(resolver);
    return resolver;
  }

  static OpenAiModel api(ScriptedOpenAiServer server) {
    return new OpenAiModel(URI.create(server.baseUrl()), "big", Optional.of("sk-secret"), 4,
        Duration.ofSeconds(10), 0, 0, 0, 0.5, 1.5, 4, 2, false, 0.9);
  }

  static Resolution get(CompletableFuture<Resolution> f) throws Exception {
    return f.get(30, TimeUnit.SECONDS);
  }

  double count(AppMeters meter, String... tags) {
    var c = registry.find(meter.meterName()).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void asksForOneLabelOfTheSetThroughAJsonSchemaWithAnEnum() throws Exception {
    ScriptedOpenAiServer server = server(List.of(), 0);
    OpenAiResolver resolver = resolver(server, api(server), Clock.systemUTC());
    assertThat(get(resolver.resolve("hydraulic hose leaking at the press")))
        .isEqualTo(new Resolution.Labelled("hydraulic", 0.9));
    var body = server.bodies().get(0);
    assertThat(body.path("model").asText()).isEqualTo("big");
    var format = body.path("response_format");
    assertThat(format.path("type").asText()).isEqualTo("json_schema");
    assertThat(format.path("json_schema").path("strict").asBoolean()).isTrue();
    assertThat(format.path("json_schema").path("schema").path("properties").path("label")
        .path("enum").toString()).isEqualTo("[\"electrical\",\"hydraulic\"]");
    String system = body.path("messages").path(0).path("content").asText();
    assertThat(system).contains("- electrical: electrical faults (examples: \"breaker tripped\";"
        + " \"fuse blown\")").doesNotContain("no power");
    assertThat(body.path("messages").path(1).path("content").asText())
        .isEqualTo("hydraulic hose leaking at the press");
    assertThat(count(AppMeters.RESOLVER_REQUESTS, "outcome", "ok")).isEqualTo(1);
    // The scripted server reports usage; cost follows the configured prices.
    double prompt = count(AppMeters.RESOLVER_TOKENS, "type", "prompt");
    double completion = count(AppMeters.RESOLVER_TOKENS, "type", "completion");
    assertThat(prompt).isPositive();
    assertThat(count(AppMeters.RESOLVER_COST))
        .isCloseTo(prompt / 1000 * 0.5 + completion / 1000 * 1.5, org.assertj.core.data.Offset
            .offset(1e-9));
  }

  @Test
  void a429IsRetriedAfterItsRetryAfterAndA500AfterABackoff() throws Exception {
    ScriptedOpenAiServer server = server(List.of(RATE_LIMITED, SERVER_ERROR, NONE), 0);
    OpenAiResolver resolver = resolver(server, api(server), Clock.systemUTC());
    assertThat(get(resolver.resolve("breaker tripped"))).isInstanceOf(Resolution.Labelled.class);
    assertThat(server.requests()).isEqualTo(3);
    List<Long> at = server.arrivals();
    // Retry-After: 1 second, honoured (a lower bound, not a timing target).
    assertThat(Duration.ofNanos(at.get(1) - at.get(0))).isGreaterThanOrEqualTo(
        Duration.ofMillis(950));
    assertThat(count(AppMeters.RESOLVER_RETRIES)).isEqualTo(2);
    assertThat(count(AppMeters.RESOLVER_ERRORS, "kind", "rate_limited")).isEqualTo(1);
    assertThat(count(AppMeters.RESOLVER_ERRORS, "kind", "server")).isEqualTo(1);
  }

  @Test
  void transientErrorsPastMaxRetriesLeaveTheTextUnresolvedNeverLost() throws Exception {
    ScriptedOpenAiServer server = server(List.of(SERVER_ERROR, SERVER_ERROR, SERVER_ERROR), 0);
    OpenAiResolver resolver = resolver(server, api(server).withRetries(Duration.ofSeconds(10), 2),
        Clock.systemUTC());
    Resolution r = get(resolver.resolve("breaker tripped"));
    assertThat(r).isInstanceOf(Resolution.Unresolved.class);
    assertThat(((Resolution.Unresolved) r).reason())
        .startsWith("unavailable: server after 3 attempts (HTTP 500");
    assertThat(server.requests()).isEqualTo(3);
  }

  @Test
  void aSlowReplyTimesOutAndIsAskedAgain() throws Exception {
    ScriptedOpenAiServer server = server(List.of(SLOW, NONE), 0);
    OpenAiResolver resolver = resolver(server, api(server).withRetries(Duration.ofMillis(500), 3),
        Clock.systemUTC());
    assertThat(get(resolver.resolve("no power on line 2")))
        .isEqualTo(new Resolution.Labelled("electrical", 0.9));
    assertThat(count(AppMeters.RESOLVER_ERRORS, "kind", "timeout")).isEqualTo(1);
  }

  @Test
  void aReplyThatBreaksTheContractIsAskedOnceMoreThenGoesToPeople() throws Exception {
    ScriptedOpenAiServer server = server(List.of(WRONG_LABEL, NONE, NOT_JSON, NOT_JSON), 0);
    OpenAiResolver resolver = resolver(server, api(server), Clock.systemUTC());
    assertThat(get(resolver.resolve("hose leaking")))
        .isEqualTo(new Resolution.Labelled("hydraulic", 0.9));
    Resolution r = get(resolver.resolve("motor dead"));
    assertThat(((Resolution.Unresolved) r).reason())
        .isEqualTo("contract: the reply is not JSON: I think this is about hydraulics."
            + " (asked twice)");
    assertThat(count(AppMeters.RESOLVER_ERRORS, "kind", "contract")).isEqualTo(3);
  }

  @Test
  void aServerWithoutJsonSchemaIsAskedForAJsonObjectFromThenOn() throws Exception {
    ScriptedOpenAiServer server = server(List.of(NO_SCHEMA, NO_SCHEMA, NO_SCHEMA), 0);
    OpenAiResolver resolver = resolver(server, api(server), Clock.systemUTC());
    assertThat(get(resolver.resolve("hose leaking")))
        .isEqualTo(new Resolution.Labelled("hydraulic", 0.9));
    assertThat(get(resolver.resolve("fuse blown in panel")))
        .isEqualTo(new Resolution.Labelled("electrical", 0.9));
    assertThat(server.bodies()).extracting(b -> b.path("response_format").path("type").asText())
        .containsExactly("json_schema", "json_object", "json_object");
  }

  @Test
  void aRefusalIsNotRetriedAndTheKeyIsSentButNeverReported() throws Exception {
    ScriptedOpenAiServer server = server(List.of(), 0);
    OpenAiResolver wrong = new OpenAiResolver("llm", new OpenAiModel(
        URI.create(server.baseUrl().replace("/v1", "/nowhere")), "big", Optional.of("sk-secret"),
        2, Duration.ofSeconds(5), 0, 0, 0, 0, 0, 4, 2, false, 0.9), LABELS, registry,
        Clock.systemUTC(), new Random(1));
    open.add(wrong);
    Resolution r = get(wrong.resolve("x"));
    assertThat(((Resolution.Unresolved) r).reason()).startsWith("refused: HTTP 404")
        .doesNotContain("sk-secret");
    assertThat(server.requests()).isZero(); // the scripted server counts chat requests only
    assertThat(count(AppMeters.RESOLVER_RETRIES)).isZero();
  }

  @Test
  void neverMoreThanMaxConcurrencyInFlightAcrossCallers() throws Exception {
    ScriptedOpenAiServer server = server(List.of(), 50);
    OpenAiResolver resolver = resolver(server, api(server).withMaxConcurrency(3),
        Clock.systemUTC());
    List<CompletableFuture<Resolution>> all = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      all.add(resolver.resolve("note number " + i));
    }
    for (CompletableFuture<Resolution> f : all) {
      assertThat(get(f)).isInstanceOf(Resolution.Labelled.class);
    }
    assertThat(server.mostInFlight()).isLessThanOrEqualTo(3).isGreaterThan(1);
    assertThat(server.requests()).isEqualTo(30);
  }

  @Test
  void repeatedTextsComeFromTheCacheWithoutARequest() throws Exception {
    ScriptedOpenAiServer server = server(List.of(), 0);
    OpenAiResolver resolver = resolver(server, api(server), Clock.systemUTC());
    Resolution first = get(resolver.resolve("hose leaking"));
    Resolution second = get(resolver.resolve("hose leaking"));
    assertThat(second).isEqualTo(first);
    assertThat(server.requests()).isEqualTo(1);
    assertThat(count(AppMeters.RESOLVER_CACHE_HITS)).isEqualTo(1);
  }

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    Instant now = Instant.parse("2026-12-07T10:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void whenTheDailyBudgetIsSpentTextsGoToPeopleUntilTheDayTurns() throws Exception {
    ScriptedOpenAiServer server = server(List.of(), 0);
    MovableClock clock = new MovableClock();
    OpenAiResolver resolver = resolver(server, api(server).withDailyTokenBudget(10), clock);
    assertThat(resolver.state()).isEqualTo(OpenAiResolver.State.UP);
    assertThat(get(resolver.resolve("hose leaking"))).isInstanceOf(Resolution.Labelled.class);
    assertThat(resolver.state()).isEqualTo(OpenAiResolver.State.BUDGET_SPENT);
    Resolution refused = get(resolver.resolve("fuse blown"));
    assertThat(((Resolution.Unresolved) refused).reason())
        .isEqualTo("budget: the daily token budget of 10 tokens is spent");
    assertThat(server.requests()).isEqualTo(1);
    assertThat(registry.find(AppMeters.RESOLVER_BUDGET_LEFT.meterName()).gauge().value())
        .isZero();
    clock.now = Instant.parse("2026-12-08T00:00:01Z");
    assertThat(resolver.state()).isEqualTo(OpenAiResolver.State.UP);
    assertThat(get(resolver.resolve("fuse blown"))).isInstanceOf(Resolution.Labelled.class);
  }

  @Test
  void backoffGrowsExponentiallyWithJitterInTheUpperHalf() throws Exception {
    ScriptedOpenAiServer server = server(List.of(), 0);
    OpenAiResolver resolver = resolver(server, api(server), Clock.systemUTC());
    for (int failures = 1; failures <= 10; failures++) {
      long step = Math.min(250L << (failures - 1), 20_000);
      for (int draw = 0; draw < 20; draw++) {
        assertThat(resolver.backoff(failures).toMillis()).isBetween(step / 2, step);
      }
    }
  }

  @Test
  void retryAfterReadsSecondsAndHttpDates() {
    Clock clock = Clock.fixed(Instant.parse("2026-12-07T10:00:00Z"), ZoneOffset.UTC);
    assertThat(RetryAfter.parse("3", clock)).contains(Duration.ofSeconds(3));
    assertThat(RetryAfter.parse("Mon, 07 Dec 2026 10:00:20 GMT", clock))
        .contains(Duration.ofSeconds(20));
    assertThat(RetryAfter.parse("86400", clock)).contains(RetryAfter.MOST);
    assertThat(RetryAfter.parse("soon", clock)).isEmpty();
    assertThat(RetryAfter.parse(null, clock)).isEmpty();
  }

  @Test
  void labelsAreMatchedWithoutRegardToCaseAndFencesAreTolerated() {
    ResolverPrompt prompt = new ResolverPrompt("m", LABELS, 1);
    assertThat(prompt.read("```json\n{\"label\": \"Hydraulic\"}\n```", "stop").label())
        .contains("hydraulic");
    assertThat(prompt.read("{\"label\": 3}", "stop").problem())
        .startsWith("the reply has no string field label");
    assertThat(prompt.read("{\"label\": \"elect", "length").problem())
        .startsWith("the reply is not JSON (cut at max_tokens)");
    assertThat(Map.of("k", prompt.request("t", ResolverPrompt.Format.JSON_OBJECT, true)).get("k"))
        .contains("\"type\":\"json_object\"").contains("\"logprobs\":true");
  }
}
