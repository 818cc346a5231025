package io.sluice.runtime.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.inference.TextEncoder;
import io.sluice.inference.generate.CausalLm;
import io.sluice.inference.generate.GenerationEngine;
import io.sluice.inference.generate.GenerationRequest;
import io.sluice.inference.generate.GenerationResult;
import io.sluice.inference.generate.OutputConstraint;
import io.sluice.inference.generate.Sampling;
import io.sluice.runtime.openai.internal.ApiError;
import io.sluice.runtime.openai.internal.ChatTemplate;
import io.sluice.runtime.openai.internal.SharedPrefixes;
import io.sluice.runtime.openai.internal.StreamedText;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenAI-compatible HTTP API over a gateway's models, mounted on the admin server of every
 * gateway and by {@code sluice serve}: {@code POST /v1/chat/completions},
 * {@code POST /v1/completions}, {@code POST /v1/embeddings}, {@code GET /v1/models} and
 * {@code GET /v1/models/{id}}, as OpenAI's API reference describes them.
 *
 * <p>Design. A request is validated and tokenized on the event loop, then handed to the model's
 * {@link GenerationEngine}, whose continuous batcher it shares with the topology's generate
 * steps and every other request; the reply is written when the engine's future completes, on the
 * request's Vert.x context, so handlers never block. The longest beginning a prompt shares with
 * recent ones goes to the engine as its prefix ({@link SharedPrefixes}), so a system prompt sent
 * with every request is computed once. Streams get each token's text from the
 * engine's listener as server-sent events ({@link StreamedText} holds back text that could be the
 * start of a stop string) and end with {@code data: [DONE]}. A client that goes away cancels its
 * request, and the engine drops the sequence. When a model has {@code maxQueue} requests in
 * flight, new ones get 429 with {@code Retry-After}. Every refusal is OpenAI's error shape.
 *
 * <p>Where the reference leaves room, this follows vLLM: {@code temperature} defaults to 1, a
 * request without {@code seed} draws one, {@code max_tokens} defaults to what fits the context
 * (at most {@link Settings#defaultMaxTokens}), {@code min_tokens} holds back end-of-sequence
 * until that many tokens exist, and {@code return_token_ids: true} adds the generated ids to each
 * choice.
 */
public final class OpenAiApi {

  private static final Logger log = LoggerFactory.getLogger(OpenAiApi.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The paths served, for checks (such as the bearer token's) that answer in OpenAI's shape. */
  public static final Set<String> PATHS = Set.of("/v1/chat/completions", "/v1/completions",
      "/v1/embeddings", "/v1/models");

  /**
   * @param maxQueue requests per model in flight (waiting or decoding) before 429
   * @param defaultMaxTokens completion tokens when a chat request gives no {@code max_tokens}
   * @param maxInputs most texts in one embeddings request
   */
  public record Settings(int maxQueue, int defaultMaxTokens, int maxInputs) {

    public Settings {
      if (maxQueue < 1 || defaultMaxTokens < 1 || maxInputs < 1) {
        throw new IllegalArgumentException("maxQueue, defaultMaxTokens and maxInputs must be"
            + " positive");
      }
    }

    /** 256 requests per model, 256 tokens, 256 inputs. */
    public static Settings defaults() {
      return new Settings(256, 256, 256);
    }

    public Settings withMaxQueue(int value) {
      return new Settings(value, defaultMaxTokens, maxInputs);
    }
  }

  private final ServedModels models;
  private final Settings settings;
  private final Clock clock;
  private final LongSupplier seeds;
  private final AtomicLong ids = new AtomicLong();
  private final Map<CausalLm, ChatTemplate> templates = new ConcurrentHashMap<>();
  private final Map<GenerationEngine, SharedPrefixes> prefixes = new ConcurrentHashMap<>();

  /**
   * @param clock stamps {@code created}
   * @param seeds seeds requests that sample without one
   */
  public OpenAiApi(ServedModels models, Settings settings, Clock clock, LongSupplier seeds) {
    this.models = models;
    this.settings = settings;
    this.clock = clock;
    this.seeds = seeds;
  }

  /** Whether {@code path} is one this API answers, so its errors take OpenAI's shape. */
  public static boolean serves(String path) {
    return PATHS.contains(path) || path.startsWith("/v1/models/");
  }

  /** Adds the routes; bodies must already be read (a {@code BodyHandler} before these). */
  public void mount(Router router) {
    router.get("/v1/models").handler(this::listModels);
    router.get("/v1/models/:id").handler(this::getModel);
    router.post("/v1/chat/completions").handler(ctx -> guarded(ctx, () -> complete(ctx, true)));
    router.post("/v1/completions").handler(ctx -> guarded(ctx, () -> complete(ctx, false)));
    router.post("/v1/embeddings").handler(ctx -> guarded(ctx, () -> embeddings(ctx)));
  }

  private void guarded(RoutingContext ctx, Runnable handler) {
    try {
      handler.run();
    } catch (ApiError e) {
      error(ctx, e);
    } catch (RuntimeException e) {
      log.warn("OpenAI API {} failed: {}", ctx.normalizedPath(), e.toString());
      error(ctx, new ApiError(500, "server_error", "The server had an error while processing"
          + " your request: " + e.getMessage(), null, null));
    }
  }

  // ---- models

  private void listModels(RoutingContext ctx) {
    ObjectNode body = JSON.createObjectNode().put("object", "list");
    ArrayNode data = body.putArray("data");
    models.decoders().keySet().forEach(name -> data.add(model(name)));
    models.encoders().keySet().forEach(name -> data.add(model(name)));
    send(ctx, 200, body);
  }

  private void getModel(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!models.decoders().containsKey(id) && !models.encoders().containsKey(id)) {
      error(ctx, notFound(id));
      return;
    }
    send(ctx, 200, model(id));
  }

  private ObjectNode model(String name) {
    return JSON.createObjectNode().put("id", name).put("object", "model")
        .put("created", clock.instant().getEpochSecond()).put("owned_by", "sluice");
  }

  private ApiError notFound(String model) {
    List<String> known = new ArrayList<>(models.decoders().keySet());
    known.addAll(models.encoders().keySet());
    return new ApiError(404, "invalid_request_error", "The model '" + model + "' does not"
        + " exist; this server serves " + (known.isEmpty() ? "no models" : known), "model",
        "model_not_found");
  }

  // ---- completions

  /** What a completion request asks for, checked. */
  private record Job(String model, GenerationEngine engine, int[] prompt, int maxTokens,
      int minTokens, Sampling sampling, List<String> stops, OutputConstraint constraint, boolean stream,
      boolean includeUsage, boolean returnTokenIds) {}

  private void complete(RoutingContext ctx, boolean chat) {
    JsonNode body = body(ctx);
    String modelName = requiredText(body, "model");
    GenerationEngine engine = models.decoders().get(modelName);
    if (engine == null) {
      if (models.encoders().containsKey(modelName)) {
        throw ApiError.invalid("The model '" + modelName + "' is an embedding model; it serves"
            + " /v1/embeddings only", "model");
      }
      throw notFound(modelName);
    }
    for (String unsupported : List.of("tools", "functions", "logit_bias", "audio")) {
      if (body.hasNonNull(unsupported)) {
        throw ApiError.invalid("'" + unsupported + "' is not supported by this server",
            unsupported);
      }
    }
    if (body.hasNonNull("n") && body.get("n").asInt(-1) != 1) {
      throw ApiError.invalid("Only n = 1 is supported", "n");
    }
    if (body.path("logprobs").asBoolean(false)) {
      throw ApiError.invalid("logprobs are not supported by this server", "logprobs");
    }
    CausalLm lm = engine.model();
    List<String> stops = new ArrayList<>(stops(body));
    String promptText;
    if (chat) {
      ChatTemplate template = templates.computeIfAbsent(lm, m -> ChatTemplate.of(m.folder()));
      promptText = template.render(messages(body));
      stops.addAll(template.stops());
    } else {
      JsonNode prompt = body.get("prompt");
      if (prompt == null || !prompt.isTextual()) {
        throw ApiError.invalid(prompt == null ? "Missing required parameter: 'prompt'"
            : "'prompt' must be a string here (token arrays and lists are not supported)",
            "prompt");
      }
      promptText = prompt.asText();
    }
    int[] ids = lm.tokenizer().encode(promptText);
    OutputConstraint constraint = chat ? responseFormat(body) : null;
    int positions = lm.config().maxPositions();
    int room = positions > 0 ? positions - ids.length : Integer.MAX_VALUE;
    String budgetField = body.hasNonNull("max_completion_tokens") ? "max_completion_tokens"
        : "max_tokens";
    int maxTokens;
    if (body.hasNonNull(budgetField)) {
      maxTokens = positiveInt(body, budgetField);
      if (maxTokens > room) {
        throw ApiError.invalid("This model's maximum context length is " + positions
            + " tokens. However, you requested " + (ids.length + maxTokens) + " tokens ("
            + ids.length + " in the " + (chat ? "messages" : "prompt") + ", " + maxTokens
            + " in the completion). Please reduce the length of the "
            + (chat ? "messages" : "prompt") + " or completion.", chat ? "messages" : "prompt",
            "context_length_exceeded");
      }
    } else {
      maxTokens = Math.min(chat ? settings.defaultMaxTokens() : 16, room);
      if (maxTokens < 1) {
        throw ApiError.invalid("This model's maximum context length is " + positions
            + " tokens, and the " + (chat ? "messages" : "prompt") + " take " + ids.length,
            chat ? "messages" : "prompt", "context_length_exceeded");
      }
    }
    if (constraint != null && constraint.minimumBytes() > maxTokens) {
      throw ApiError.invalid("The response format needs at least " + constraint.minimumBytes()
          + " tokens but " + budgetField + " is " + maxTokens, budgetField);
    }
    boolean stream = body.path("stream").asBoolean(false);
    boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
    int minTokens = body.hasNonNull("min_tokens") ? body.get("min_tokens").asInt(-1) : 0;
    if (minTokens < 0 || minTokens > maxTokens) {
      throw ApiError.invalid("'min_tokens' must be from 0 to " + budgetField + " (" + maxTokens
          + ")", "min_tokens", "invalid_value");
    }
    Job job = new Job(modelName, engine, ids, maxTokens, minTokens, sampling(body),
        constraint != null ? List.of() : stops, constraint, stream, includeUsage,
        body.path("return_token_ids").asBoolean(false));
    if (engine.inFlight() >= settings.maxQueue()) {
      ctx.response().putHeader("retry-after", "1");
      throw new ApiError(429, "requests", "Model '" + modelName + "' has " + engine.inFlight()
          + " requests in flight, its limit; retry shortly", null, "rate_limit_exceeded");
    }
    run(ctx, job, chat);
  }

  private void run(RoutingContext ctx, Job job, boolean chat) {
    String id = (chat ? "chatcmpl-" : "cmpl-") + Long.toHexString(clock.millis())
        + Long.toHexString(ids.incrementAndGet());
    long created = clock.instant().getEpochSecond();
    Context vertx = Vertx.currentContext();
    HttpServerResponse response = ctx.response();
    StreamedText streamed = job.stream() ? new StreamedText(job.stops()) : null;
    int shared = prefixes.computeIfAbsent(job.engine(), e -> new SharedPrefixes(64))
        .prefixLength(job.prompt());
    GenerationRequest.Builder request = GenerationRequest.builder(
            java.util.Arrays.copyOfRange(job.prompt(), shared, job.prompt().length))
        .prefix(java.util.Arrays.copyOf(job.prompt(), shared)).id(id)
        .maxNewTokens(job.maxTokens()).minNewTokens(job.minTokens()).sampling(job.sampling())
        .stopStrings(job.stops());
    if (job.constraint() != null) {
      request.constraint(job.constraint());
    }
    if (streamed != null) {
      response.setChunked(true).putHeader("content-type", "text/event-stream")
          .putHeader("cache-control", "no-cache");
      event(response, chunk(id, created, job.model(), chat, chat ? "" : null, null, true));
      request.listener((requestId, tokenId, delta) -> vertx.runOnContext(v -> {
        String ready = streamed.accept(delta);
        if (!ready.isEmpty() && !response.ended()) {
          event(response, chunk(id, created, job.model(), chat, ready, null, false));
        }
      }));
    }
    CompletableFuture<GenerationResult> future = job.engine().submit(request.build());
    response.closeHandler(v -> future.cancel(false));
    future.whenComplete((result, failure) -> vertx.runOnContext(v -> {
      if (response.closed() || response.ended()) {
        return;
      }
      if (failure != null) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException c
            && c.getCause() != null ? c.getCause() : failure;
        ApiError error = new ApiError(500, "server_error", "Generation failed: "
            + cause.getMessage(), null, null);
        if (streamed != null) {
          event(response, errorBody(error));
          response.end("data: [DONE]\n\n");
        } else {
          error(ctx, error);
        }
        return;
      }
      ObjectNode usage = usage(job.prompt().length, result.tokenIds().length);
      if (streamed != null) {
        String rest = streamed.finish(result.text());
        if (!rest.isEmpty()) {
          event(response, chunk(id, created, job.model(), chat, rest, null, false));
        }
        ObjectNode last = chunk(id, created, job.model(), chat, chat ? null : "",
            result.finishReason().apiName(), false);
        if (job.returnTokenIds()) {
          ((ObjectNode) last.get("choices").get(0)).set("token_ids", ids(result.tokenIds()));
        }
        event(response, last);
        if (job.includeUsage()) {
          ObjectNode tail = chunk(id, created, job.model(), chat, null, null, false);
          tail.putArray("choices");
          tail.set("usage", usage);
          event(response, tail);
        }
        response.end("data: [DONE]\n\n");
        return;
      }
      ObjectNode body = JSON.createObjectNode().put("id", id)
          .put("object", chat ? "chat.completion" : "text_completion").put("created", created)
          .put("model", job.model());
      ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
      if (chat) {
        choice.putObject("message").put("role", "assistant").put("content", result.text())
            .putNull("refusal");
      } else {
        choice.put("text", result.text());
      }
      choice.putNull("logprobs");
      choice.put("finish_reason", result.finishReason().apiName());
      if (job.returnTokenIds()) {
        choice.set("token_ids", ids(result.tokenIds()));
      }
      body.set("usage", usage);
      send(ctx, 200, body);
    }));
  }

  private static ArrayNode ids(int[] tokenIds) {
    ArrayNode out = JSON.createArrayNode();
    for (int t : tokenIds) {
      out.add(t);
    }
    return out;
  }

  private static ObjectNode usage(int prompt, int completion) {
    return JSON.createObjectNode().put("prompt_tokens", prompt)
        .put("completion_tokens", completion).put("total_tokens", prompt + completion);
  }

  private static ObjectNode chunk(String id, long created, String model, boolean chat,
      String text, String finishReason, boolean first) {
    ObjectNode chunk = JSON.createObjectNode().put("id", id)
        .put("object", chat ? "chat.completion.chunk" : "text_completion")
        .put("created", created).put("model", model);
    ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
    if (chat) {
      ObjectNode delta = choice.putObject("delta");
      if (first) {
        delta.put("role", "assistant");
      }
      if (text != null) {
        delta.put("content", text);
      }
    } else {
      choice.put("text", text == null ? "" : text);
    }
    choice.putNull("logprobs");
    if (finishReason == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", finishReason);
    }
    return chunk;
  }

  private static void event(HttpServerResponse response, JsonNode data) {
    response.write("data: " + data + "\n\n");
  }

  private static List<ChatTemplate.Message> messages(JsonNode body) {
    JsonNode messages = body.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw ApiError.invalid(messages == null ? "Missing required parameter: 'messages'"
          : "'messages' must be a non-empty array", "messages");
    }
    List<ChatTemplate.Message> out = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      String param = "messages[" + i + "]";
      String role = m.path("role").asText("");
      if (!Set.of("system", "developer", "user", "assistant", "tool").contains(role)) {
        throw ApiError.invalid("Invalid value for '" + param + ".role': expected one of system,"
            + " developer, user, assistant, tool", param + ".role", "invalid_value");
      }
      JsonNode content = m.get("content");
      String text;
      if (content != null && content.isTextual()) {
        text = content.asText();
      } else if (content != null && content.isArray()) {
        StringBuilder joined = new StringBuilder();
        for (JsonNode part : content) {
          if (!"text".equals(part.path("type").asText())) {
            throw ApiError.invalid("Only text content parts are supported; got type '"
                + part.path("type").asText() + "'", param + ".content");
          }
          joined.append(part.path("text").asText());
        }
        text = joined.toString();
      } else if (role.equals("assistant") && (content == null || content.isNull())) {
        text = "";
      } else {
        throw ApiError.invalid("'" + param + ".content' must be a string or an array of text"
            + " parts", param + ".content");
      }
      out.add(new ChatTemplate.Message(role.equals("developer") ? "system" : role, text));
    }
    return out;
  }

  private static List<String> stops(JsonNode body) {
    JsonNode stop = body.get("stop");
    if (stop == null || stop.isNull()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    if (stop.isTextual()) {
      out.add(stop.asText());
    } else if (stop.isArray() && stop.size() <= 4) {
      stop.forEach(s -> out.add(s.asText()));
    } else {
      throw ApiError.invalid("'stop' must be a string or an array of at most 4 strings", "stop");
    }
    if (out.stream().anyMatch(String::isEmpty)) {
      throw ApiError.invalid("'stop' strings must not be empty", "stop");
    }
    return out;
  }

  private OutputConstraint responseFormat(JsonNode body) {
    JsonNode format = body.get("response_format");
    if (format == null || format.isNull()) {
      return null;
    }
    String type = format.path("type").asText("");
    switch (type) {
      case "text":
        return null;
      case "json_object":
        return OutputConstraint.jsonObject();
      case "json_schema":
        JsonNode spec = format.path("json_schema");
        if (!spec.path("name").isTextual()) {
          throw ApiError.invalid("Missing required parameter: 'response_format.json_schema.name'",
              "response_format.json_schema.name");
        }
        JsonNode schema = spec.get("schema");
        if (schema == null || !schema.isObject()) {
          throw ApiError.invalid("'response_format.json_schema.schema' must be a JSON Schema"
              + " object", "response_format.json_schema.schema");
        }
        try {
          return OutputConstraint.jsonSchema(schema);
        } catch (IllegalArgumentException e) {
          throw ApiError.invalid("Invalid schema for response_format '"
              + spec.get("name").asText() + "': " + e.getMessage(),
              "response_format.json_schema.schema", "invalid_json_schema");
        }
      default:
        throw ApiError.invalid("Invalid value for 'response_format.type': '" + type
            + "'; expected text, json_object or json_schema", "response_format.type",
            "invalid_value");
    }
  }

  private Sampling sampling(JsonNode body) {
    double temperature = number(body, "temperature", 1.0, 0, 2);
    double topP = number(body, "top_p", 1.0, 0, 1);
    if (topP == 0) {
      throw ApiError.invalid("'top_p' must be greater than 0", "top_p", "invalid_value");
    }
    if (temperature == 0) {
      return Sampling.greedy();
    }
    long seed = body.hasNonNull("seed") ? body.get("seed").asLong() : seeds.getAsLong();
    if (body.hasNonNull("seed") && !body.get("seed").isIntegralNumber()) {
      throw ApiError.invalid("'seed' must be an integer", "seed");
    }
    return Sampling.sample(temperature, 0, topP, seed);
  }

  // ---- embeddings

  private void embeddings(RoutingContext ctx) {
    JsonNode body = body(ctx);
    String modelName = requiredText(body, "model");
    TextEncoder encoder = models.encoders().get(modelName);
    if (encoder == null) {
      if (models.decoders().containsKey(modelName)) {
        throw ApiError.invalid("The model '" + modelName + "' is a text generation model;"
            + " embeddings come from an encoder", "model");
      }
      throw notFound(modelName);
    }
    JsonNode input = body.get("input");
    List<String> texts = new ArrayList<>();
    if (input != null && input.isTextual()) {
      texts.add(input.asText());
    } else if (input != null && input.isArray() && !input.isEmpty()) {
      for (JsonNode item : input) {
        if (!item.isTextual()) {
          throw ApiError.invalid("'input' must be a string or an array of strings (token"
              + " arrays are not supported)", "input");
        }
        texts.add(item.asText());
      }
    } else {
      throw ApiError.invalid(input == null ? "Missing required parameter: 'input'"
          : "'input' must be a non-empty string or array of strings", "input");
    }
    if (texts.size() > settings.maxInputs()) {
      throw ApiError.invalid("'input' holds " + texts.size() + " texts; at most "
          + settings.maxInputs(), "input");
    }
    if (texts.stream().anyMatch(String::isEmpty)) {
      throw ApiError.invalid("'input' texts must not be empty", "input");
    }
    String format = body.path("encoding_format").asText("float");
    if (!format.equals("float") && !format.equals("base64")) {
      throw ApiError.invalid("Invalid value for 'encoding_format': expected float or base64",
          "encoding_format", "invalid_value");
    }
    if (body.hasNonNull("dimensions") && body.get("dimensions").asInt() != encoder.dimension()) {
      throw ApiError.invalid("Model '" + modelName + "' gives " + encoder.dimension()
          + " dimensions and cannot shorten them", "dimensions");
    }
    Vertx.currentContext().owner().executeBlocking(() -> {
      int tokens = 0;
      for (var t : encoder.tokenize(texts)) {
        tokens += t.length();
      }
      return Map.entry(tokens, encoder.embed(texts));
    }, false).onComplete(done -> {
      if (done.failed()) {
        error(ctx, new ApiError(500, "server_error", "Embedding failed: "
            + done.cause().getMessage(), null, null));
        return;
      }
      ObjectNode reply = JSON.createObjectNode().put("object", "list");
      ArrayNode data = reply.putArray("data");
      float[][] vectors = done.result().getValue();
      for (int i = 0; i < vectors.length; i++) {
        ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
        if (format.equals("base64")) {
          ByteBuffer bytes = ByteBuffer.allocate(vectors[i].length * 4)
              .order(ByteOrder.LITTLE_ENDIAN);
          for (float f : vectors[i]) {
            bytes.putFloat(f);
          }
          item.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
        } else {
          ArrayNode values = item.putArray("embedding");
          for (float f : vectors[i]) {
            values.add(f);
          }
        }
      }
      reply.put("model", modelName);
      int tokens = done.result().getKey();
      reply.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
      send(ctx, 200, reply);
    });
  }

  // ---- request and reply helpers

  private static JsonNode body(RoutingContext ctx) {
    io.vertx.core.buffer.Buffer raw = ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      throw ApiError.invalid("The request has no body; send a JSON object", null);
    }
    try {
      JsonNode body = JSON.readTree(raw.getBytes());
      if (body == null || !body.isObject()) {
        throw ApiError.invalid("The request body must be a JSON object", null);
      }
      return body;
    } catch (JsonProcessingException e) {
      throw ApiError.invalid("We could not parse the JSON body of your request: "
          + e.getOriginalMessage(), null);
    } catch (java.io.IOException e) {
      throw ApiError.invalid("We could not read the body of your request", null);
    }
  }

  private static String requiredText(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      throw ApiError.invalid("Missing required parameter: '" + field + "'", field);
    }
    if (!value.isTextual()) {
      throw ApiError.invalid("'" + field + "' must be a string", field);
    }
    return value.asText();
  }

  private static int positiveInt(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (!value.isIntegralNumber() || value.asLong() < 1 || value.asLong() > Integer.MAX_VALUE) {
      throw ApiError.invalid("'" + field + "' must be a positive integer", field,
          "invalid_value");
    }
    return value.asInt();
  }

  private static double number(JsonNode body, String field, double fallback, double min,
      double max) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (!value.isNumber() || value.asDouble() < min || value.asDouble() > max) {
      throw ApiError.invalid("'" + field + "' must be a number from " + min + " to " + max
          + "; got " + value, field, "invalid_value");
    }
    return value.asDouble();
  }

  private static void send(RoutingContext ctx, int status, JsonNode body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(body.toString());
  }

  /** Writes {@code e} in OpenAI's error shape. */
  public static void error(RoutingContext ctx, ApiError e) {
    if (ctx.response().ended()) {
      return;
    }
    send(ctx, e.status(), errorBody(e));
  }

  private static ObjectNode errorBody(ApiError e) {
    ObjectNode body = JSON.createObjectNode();
    ObjectNode error = body.putObject("error").put("message", e.getMessage())
        .put("type", e.type());
    if (e.param() == null) {
      error.putNull("param");
    } else {
      error.put("param", e.param());
    }
    if (e.code() == null) {
      error.putNull("code");
    } else {
      error.put("code", e.code());
    }
    return body;
  }
}
