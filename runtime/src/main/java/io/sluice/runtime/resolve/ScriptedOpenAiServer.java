package io.sluice.runtime.resolve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

/**
 * An OpenAI-compatible chat-completions server that answers with a label and, when told to,
 * misbehaves: 429 with {@code Retry-After}, 500s, replies slower than the client's timeout,
 * bodies that are not JSON, labels outside the set, or a 400 refusing {@code json_schema}. For
 * testing and benchmarking resolvers against real HTTP ({@code sluice bench cloud}, the
 * learning-loop replay with {@code --cloud-topology}); never for production.
 *
 * <p>Which request gets which fault is a function of its number (from 0), so a test can script
 * it exactly ({@link #script}) or draw it from a seeded mix ({@link #mix}). The label comes from
 * {@code labeller} applied to the user message.
 */
public final class ScriptedOpenAiServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What one request gets. */
  public enum Fault { NONE, RATE_LIMITED, SERVER_ERROR, SLOW, NOT_JSON, WRONG_LABEL, NO_SCHEMA }

  /**
   * @param latencyMillis every reply waits this long first
   * @param slowMillis what a {@link Fault#SLOW} reply waits instead
   * @param retryAfterSeconds the {@code Retry-After} of a 429
   * @param faults the fault of the n-th request
   * @param labeller the label of a user message
   */
  public record Settings(long latencyMillis, long slowMillis, int retryAfterSeconds,
      IntFunction<Fault> faults, UnaryOperator<String> labeller) {}

  private final Vertx vertx;
  private final HttpServer server;
  private final Settings settings;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger mostInFlight = new AtomicInteger();
  private final List<Long> arrivals = new CopyOnWriteArrayList<>();
  private final List<JsonNode> bodies = new CopyOnWriteArrayList<>();

  private ScriptedOpenAiServer(Vertx vertx, HttpServer server, Settings settings) {
    this.vertx = vertx;
    this.server = server;
    this.settings = settings;
  }

  /** Faults by request number, {@link Fault#NONE} past the end of the list. */
  public static IntFunction<Fault> script(List<Fault> faults) {
    List<Fault> copy = List.copyOf(faults);
    return n -> n < copy.size() ? copy.get(n) : Fault.NONE;
  }

  /** Each request's fault drawn with the given probabilities (the rest NONE), from a seed. */
  public static IntFunction<Fault> mix(long seed, Map<Fault, Double> odds) {
    return n -> {
      RandomGenerator random = new java.util.SplittableRandom(seed * 1_000_003L + n);
      double draw = random.nextDouble();
      double sum = 0;
      for (Map.Entry<Fault, Double> e : odds.entrySet()) {
        sum += e.getValue();
        if (draw < sum) {
          return e.getKey();
        }
      }
      return Fault.NONE;
    };
  }

  /** Starts on a free loopback port. */
  public static ScriptedOpenAiServer start(Settings settings) {
    return start(settings, 0);
  }

  /** Starts on {@code port} of 127.0.0.1 (0 for a free one). */
  public static ScriptedOpenAiServer start(Settings settings, int port) {
    Vertx vertx = Vertx.vertx();
    ScriptedOpenAiServer[] self = new ScriptedOpenAiServer[1];
    try {
      HttpServer server = vertx.createHttpServer()
          .requestHandler(request -> self[0].handle(request))
          .listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      self[0] = new ScriptedOpenAiServer(vertx, server, settings);
      return self[0];
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("The scripted OpenAI server did not start: " + e, e);
    }
  }

  /** The API root, for a model's {@code baseUrl}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1";
  }

  /** Requests received so far. */
  public int requests() {
    return requests.get();
  }

  /** The most requests that were in flight at once. */
  public int mostInFlight() {
    return mostInFlight.get();
  }

  /** When each request arrived (System.nanoTime), in order. */
  public List<Long> arrivals() {
    return List.copyOf(arrivals);
  }

  /** Each request's JSON body, in order of arrival. */
  public List<JsonNode> bodies() {
    return List.copyOf(bodies);
  }

  private void handle(HttpServerRequest request) {
    if (!request.path().equals("/v1/chat/completions")) {
      request.response().setStatusCode(404).end("{\"error\":{\"message\":\"not found\"}}");
      return;
    }
    request.body().onSuccess(buffer -> {
      int n = requests.getAndIncrement();
      arrivals.add(System.nanoTime());
      int now = inFlight.incrementAndGet();
      mostInFlight.accumulateAndGet(now, Math::max);
      JsonNode body;
      try {
        body = JSON.readTree(buffer.toString());
      } catch (java.io.IOException e) {
        inFlight.decrementAndGet();
        request.response().setStatusCode(400).end(
            "{\"error\":{\"message\":\"body is not JSON\",\"type\":\"invalid_request_error\"}}");
        return;
      }
      bodies.add(body);
      Fault fault = settings.faults().apply(n);
      long wait = fault == Fault.SLOW ? settings.slowMillis() : settings.latencyMillis();
      Runnable reply = () -> {
        inFlight.decrementAndGet();
        if (!request.response().closed()) {
          answer(request, body, fault);
        }
      };
      if (wait <= 0) {
        reply.run();
      } else {
        vertx.setTimer(wait, id -> reply.run());
      }
    });
  }

  private void answer(HttpServerRequest request, JsonNode body, Fault fault) {
    var response = request.response().putHeader("Content-Type", "application/json");
    switch (fault) {
      case RATE_LIMITED -> response.setStatusCode(429)
          .putHeader("Retry-After", Integer.toString(settings.retryAfterSeconds()))
          .end(error("Rate limit reached for requests", "rate_limit_exceeded", null));
      case SERVER_ERROR -> response.setStatusCode(500)
          .end(error("The server had an error while processing your request", "server_error",
              null));
      case NO_SCHEMA -> {
        if ("json_schema".equals(body.path("response_format").path("type").asText())) {
          response.setStatusCode(400).end(error("response_format json_schema is not supported",
              "invalid_request_error", "response_format"));
        } else {
          response.end(completion(body, label(body)));
        }
      }
      case NOT_JSON -> response.end(completion(body, "I think this is about hydraulics."));
      case WRONG_LABEL -> response.end(completion(body, "{\"label\": \"not-a-label\"}"));
      default -> response.end(completion(body, label(body)));
    }
  }

  private String label(JsonNode body) {
    JsonNode messages = body.path("messages");
    String user = messages.path(messages.size() - 1).path("content").asText("");
    ObjectNode content = JSON.createObjectNode().put("label", settings.labeller().apply(user));
    return content.toString();
  }

  private static String completion(JsonNode request, String content) {
    ObjectNode out = JSON.createObjectNode();
    out.put("id", "chatcmpl-scripted");
    out.put("object", "chat.completion");
    out.put("created", 0);
    out.put("model", request.path("model").asText("scripted"));
    ObjectNode choice = out.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("message").put("role", "assistant").put("content", content);
    choice.putNull("logprobs");
    choice.put("finish_reason", "stop");
    int prompt = request.toString().length() / 4;
    int completion = Math.max(1, content.length() / 4);
    out.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
        .put("total_tokens", prompt + completion);
    return out.toString();
  }

  private static String error(String message, String code, String param) {
    ObjectNode out = JSON.createObjectNode();
    ObjectNode error = out.putObject("error");
    error.put("message", message);
    error.put("type", code.equals("server_error") ? "server_error" : "invalid_request_error");
    if (param == null) {
      error.putNull("param");
    } else {
      error.put("param", param);
    }
    error.put("code", code);
    return out.toString();
  }

  @Override
  public void close() {
    try {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing anyway
    } finally {
      vertx.close();
    }
  }
}
