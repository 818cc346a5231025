package io.sluice.runtime.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.inference.EncoderSettings;
import io.sluice.inference.ModelBundle;
import io.sluice.inference.SessionSettings;
import io.sluice.inference.TextEncoder;
import io.sluice.inference.generate.CausalLm;
import io.sluice.inference.generate.DecoderOptions;
import io.sluice.inference.generate.EngineSettings;
import io.sluice.inference.generate.GenerationEngine;
import io.sluice.runtime.admin.AdminSettings;
import io.sluice.runtime.admin.AdminToken;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI-compatible API checked with OpenAI's own Java client ({@code com.openai:openai-java})
 * against a server over the tiny test decoder of {@code ../shared/models} and the default
 * encoder: plain, streamed and schema-shaped completions, embeddings, the model list, and the
 * error cases, after which the server still serves. Greedy token ids through HTTP equal the
 * decoder's golden ids. Skipped when the test models are absent.
 */
class OpenAiCompatibilityTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String KEY = "test-key-0123456789abcdef";
  static final String DECODER = "tiny-decoder";
  static final String ENCODER = "all-minilm-l6-v2-q";

  static Path folder;
  static CausalLm lm;
  static GenerationEngine engine;
  static TextEncoder encoder;
  static OpenAiServer server;
  static OpenAIClient client;

  @BeforeAll
  static void start() {
    folder = Path.of(System.getProperty("sluice.shared.dir", "../../shared"), "models", DECODER);
    assumeTrue(Files.isRegularFile(folder.resolve("model.onnx")),
        "Skipped: the tiny decoder is absent (needs ../shared/models)");
    lm = CausalLm.open(folder, new DecoderOptions(DecoderOptions.FP32, SessionSettings.threads(1),
        Optional.empty()));
    engine = new GenerationEngine(lm, EngineSettings.defaults());
    encoder = TextEncoder.open(ModelBundle.load(ModelBundle.DEFAULT),
        EncoderSettings.DEFAULT.withSessions(1, SessionSettings.threads(1)),
        new SimpleMeterRegistry());
    AdminSettings settings = new AdminSettings("127.0.0.1", 0,
        Optional.of(AdminToken.of(KEY, "test")), Optional.empty(), Duration.ofSeconds(1));
    server = OpenAiServer.start(settings,
        ServedModels.of(() -> Map.of(DECODER, engine), () -> Map.of(ENCODER, encoder)),
        OpenAiApi.Settings.defaults(), Clock.systemUTC());
    client = OpenAIOkHttpClient.builder().baseUrl(server.url()).apiKey(KEY).maxRetries(0)
        .build();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
      engine.close();
      lm.close();
      encoder.close();
    }
  }

  static ChatCompletionCreateParams.Builder chat(String text) {
    return ChatCompletionCreateParams.builder().model(DECODER).addUserMessage(text)
        .temperature(0.0).maxCompletionTokens(24);
  }

  @Test
  void theCloudsResolverGetsALabelOfTheSetFromThisServer() throws Exception {
    var labels = java.util.List.of(
        new io.sluice.runtime.resolve.internal.ResolverPrompt.Label("electrical", "", List.of()),
        new io.sluice.runtime.resolve.internal.ResolverPrompt.Label("hydraulic", "", List.of()),
        new io.sluice.runtime.resolve.internal.ResolverPrompt.Label("mechanical", "",
            List.of()));
    var api = new io.sluice.topology.spec.OpenAiModel(java.net.URI.create(server.url()),
        DECODER, Optional.of(KEY), 2, Duration.ofSeconds(30), 0, 0, 0, 0, 0, 1, 0, false, 0.9);
    try (var resolver = new io.sluice.runtime.resolve.OpenAiResolver("tiny", api, labels,
        new SimpleMeterRegistry(), Clock.systemUTC(), new java.util.Random(3))) {
      var reply = resolver.resolve("breaker tripped").get(60, java.util.concurrent.TimeUnit.SECONDS);
      // The tiny decoder knows nothing of faults, but constrained decoding keeps it in the set.
      assertThat(reply).isInstanceOf(io.sluice.operators.cloud.Resolution.Labelled.class);
      assertThat(((io.sluice.operators.cloud.Resolution.Labelled) reply).label())
          .isIn("electrical", "hydraulic", "mechanical");
      // A prompt past the decoder's 256 positions is refused, and the record goes to people.
      var tooLong = resolver.resolve("word ".repeat(400)).get(60,
          java.util.concurrent.TimeUnit.SECONDS);
      assertThat(((io.sluice.operators.cloud.Resolution.Unresolved) tooLong).reason())
          .startsWith("refused: HTTP 400");
    }
  }

  @Test
  void aPlainChatCompletionIsTheGreedyContinuation() {
    ChatCompletion completion = client.chat().completions().create(chat("check the").build());

    assertThat(completion.model()).isEqualTo(DECODER);
    ChatCompletion.Choice choice = completion.choices().get(0);
    // golden.json: greedy_fp32 for "check the" is [505,552,501,343,534,293,0]
    assertThat(choice.message().content()).contains(" next song we be played");
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(2);
    assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(7);
    assertThat(completion.usage().orElseThrow().totalTokens()).isEqualTo(9);
  }

  @Test
  void greedyIdsThroughHttpMatchTheGoldenIds() throws Exception {
    JsonNode golden = JSON.readTree(folder.resolve("golden.json").toFile());
    for (int i = 0; i < golden.get("prompts").size(); i++) {
      Completion completion = client.completions().create(CompletionCreateParams.builder()
          .model(DECODER).prompt(golden.get("prompts").get(i).asText()).maxTokens(24)
          .temperature(0.0).putAdditionalBodyProperty("return_token_ids", JsonValue.from(true))
          .build());
      List<Integer> ids = completion.choices().get(0)._additionalProperties().get("token_ids")
          .convert(new com.fasterxml.jackson.core.type.TypeReference<List<Integer>>() {});
      List<Integer> expected = new ArrayList<>();
      golden.get("greedy_fp32").get(i).forEach(n -> expected.add(n.asInt()));
      assertThat(ids).as(golden.get("prompts").get(i).asText()).isEqualTo(expected);
      assertThat(completion.choices().get(0).text())
          .isEqualTo(golden.get("decoded_fp32").get(i).asText());
    }
  }

  @Test
  void aStreamedCompletionSendsTheSameTextInChunksThenUsage() {
    String whole = client.chat().completions().create(chat("set an alarm for").build())
        .choices().get(0).message().content().orElseThrow();
    List<ChatCompletionChunk> chunks;
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
        .createStreaming(chat("set an alarm for").streamOptions(
            ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
      chunks = stream.stream().toList();
    }
    String streamed = chunks.stream().flatMap(c -> c.choices().stream())
        .map(c -> c.delta().content().orElse("")).collect(Collectors.joining());
    assertThat(streamed).isEqualTo(whole).isEqualTo(" 6am");
    assertThat(chunks.get(0).choices().get(0).delta().role()).isPresent();
    assertThat(chunks).filteredOn(c -> !c.choices().isEmpty()
        && c.choices().get(0).finishReason().isPresent()).hasSize(1);
    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.choices()).isEmpty();
    assertThat(last.usage().orElseThrow().completionTokens()).isEqualTo(3);
  }

  @Test
  void theRawStreamEndsWithDone() throws Exception {
    HttpResponse<String> response = post("/chat/completions", """
        {"model": "tiny-decoder", "messages": [{"role": "user", "content": "check the"}],
         "temperature": 0, "stream": true}""", KEY);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
    assertThat(response.body()).startsWith("data: {").endsWith("data: [DONE]\n\n");
  }

  @Test
  void aJsonSchemaCompletionConformsToTheSchema() throws Exception {
    ResponseFormatJsonSchema.JsonSchema.Schema schema =
        ResponseFormatJsonSchema.JsonSchema.Schema.builder()
            .putAdditionalProperty("type", JsonValue.from("object"))
            .putAdditionalProperty("properties", JsonValue.from(Map.of(
                "asset", Map.of("type", "string", "maxLength", 20),
                "urgency", Map.of("enum", List.of("low", "medium", "high")))))
            .putAdditionalProperty("required", JsonValue.from(List.of("asset", "urgency")))
            .putAdditionalProperty("additionalProperties", JsonValue.from(false))
            .build();
    for (String order : List.of("replace hydraulic pump", "engine oil leak", "pump seal")) {
      ChatCompletion completion = client.chat().completions().create(chat(order)
          .maxCompletionTokens(60)
          .responseFormat(ResponseFormatJsonSchema.builder().jsonSchema(
              ResponseFormatJsonSchema.JsonSchema.builder().name("work_order").schema(schema)
                  .strict(true).build()).build())
          .build());
      JsonNode json = JSON.readTree(completion.choices().get(0).message().content()
          .orElseThrow());
      assertThat(json.get("urgency").asText()).isIn("low", "medium", "high");
      assertThat(json.get("asset").asText().length()).isLessThanOrEqualTo(20);
      assertThat(json.size()).isEqualTo(2);
    }
  }

  /** The client's own structured outputs: it writes the schema from a class and parses it. */
  record WorkOrder(String asset, boolean urgent) {}

  @Test
  void theClientsStructuredOutputsParse() {
    var completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model(DECODER).addUserMessage("replace hydraulic pump").temperature(0.0)
        .maxCompletionTokens(60).responseFormat(WorkOrder.class).build());
    WorkOrder order = completion.choices().get(0).message().content().orElseThrow();
    assertThat(order.asset()).isNotNull();
  }

  @Test
  void aJsonObjectCompletionIsAJsonObject() throws Exception {
    ChatCompletion completion = client.chat().completions().create(chat("pump seal")
        .maxCompletionTokens(40).responseFormat(ResponseFormatJsonObject.builder().build())
        .build());
    String content = completion.choices().get(0).message().content().orElseThrow();
    assertThat(JSON.readTree(content).isObject()).as(content).isTrue();
  }

  @Test
  void embeddingsComeFromTheEncoder() {
    CreateEmbeddingResponse response = client.embeddings().create(EmbeddingCreateParams.builder()
        .model(ENCODER).input("hydraulic pump leaking").build());
    List<Float> vector = response.data().get(0).embedding();
    assertThat(vector).hasSize(384);
    double norm = Math.sqrt(vector.stream().mapToDouble(f -> f * f).sum());
    assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.01));
    assertThat(response.usage().promptTokens()).isGreaterThan(2);
    float[] direct = encoder.embed("hydraulic pump leaking");
    assertThat(vector.get(7)).isEqualTo(direct[7]);
  }

  @Test
  void theModelListNamesBothModels() {
    assertThat(client.models().list().data()).extracting(Model::id)
        .containsExactlyInAnyOrder(DECODER, ENCODER);
    assertThat(client.models().retrieve(DECODER).ownedBy()).isEqualTo("sluice");
  }

  @Test
  void errorsTakeOpenAisShapeAndTheServerKeepsServing() throws Exception {
    assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams
        .builder().model("gpt-5").addUserMessage("hi").build()))
        .isInstanceOfSatisfying(NotFoundException.class, e -> {
          assertThat(e.code()).hasValue("model_not_found");
          assertThat(e.param()).hasValue("model");
        });
    assertThatThrownBy(() -> client.chat().completions().create(chat("hi").temperature(5.0)
        .build()))
        .isInstanceOfSatisfying(BadRequestException.class, e -> {
          assertThat(e.param()).hasValue("temperature");
          assertThat(e.type()).hasValue("invalid_request_error");
        });
    assertThatThrownBy(() -> client.chat().completions().create(chat("hi")
        .maxCompletionTokens(100_000).build()))
        .isInstanceOfSatisfying(BadRequestException.class, e ->
            assertThat(e.code()).hasValue("context_length_exceeded"));
    ResponseFormatJsonSchema.JsonSchema.Schema unsupported =
        ResponseFormatJsonSchema.JsonSchema.Schema.builder()
            .putAdditionalProperty("type", JsonValue.from("string"))
            .putAdditionalProperty("pattern", JsonValue.from("^[a-z]+$")).build();
    assertThatThrownBy(() -> client.chat().completions().create(chat("hi").responseFormat(
        ResponseFormatJsonSchema.builder().jsonSchema(ResponseFormatJsonSchema.JsonSchema
            .builder().name("s").schema(unsupported).build()).build()).build()))
        .isInstanceOfSatisfying(BadRequestException.class, e -> {
          assertThat(e.param()).hasValue("response_format.json_schema.schema");
          assertThat(e.getMessage()).contains("pattern");
        });
    OpenAIClient wrongKey = OpenAIOkHttpClient.builder().baseUrl(server.url())
        .apiKey("not-the-key").maxRetries(0).build();
    assertThatThrownBy(() -> wrongKey.models().list())
        .isInstanceOfSatisfying(UnauthorizedException.class, e ->
            assertThat(e.code()).hasValue("invalid_api_key"));

    for (String body : List.of("{not json", "[]", "{\"model\": \"tiny-decoder\"}",
        "{\"model\": \"tiny-decoder\", \"messages\": [{\"role\": \"wizard\", \"content\": \"x\"}]}",
        "{\"model\": \"tiny-decoder\", \"messages\": \"hi\"}")) {
      HttpResponse<String> response = post("/chat/completions", body, KEY);
      assertThat(response.statusCode()).as(body).isEqualTo(400);
      JsonNode error = JSON.readTree(response.body()).get("error");
      assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
      assertThat(error.has("param")).isTrue();
      assertThat(error.has("code")).isTrue();
      assertThat(error.get("message").asText()).isNotBlank();
    }
    HttpResponse<String> missingKey = post("/chat/completions", "{}", null);
    assertThat(missingKey.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(missingKey.body()).at("/error/code").asText())
        .isEqualTo("invalid_api_key");
    assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(server.url().replace("/v1", "/health"))).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

    assertThat(client.chat().completions().create(chat("check the").build()).choices().get(0)
        .message().content()).contains(" next song we be played");
  }

  @Test
  void aFullQueueAnswers429WithRetryAfter() throws Exception {
    // One request in flight is the limit of a second server on the same engine. The first needs at least 240 generated
    // tokens (the schema's shortest output), so it is still decoding when the second arrives:
    // its first streamed chunk says the engine has it.
    String busy = """
        {"model": "tiny-decoder", "messages": [{"role": "user", "content": "pump"}],
         "temperature": 0, "stream": true, "max_tokens": 250,
         "response_format": {"type": "json_schema", "json_schema": {"name": "long",
           "schema": {"type": "string", "minLength": 240, "maxLength": 240}}}}""";
    AdminSettings settings = new AdminSettings("127.0.0.1", 0, Optional.empty(),
        Optional.empty(), Duration.ofSeconds(1));
    try (OpenAiServer small = OpenAiServer.start(settings,
        ServedModels.of(() -> Map.of(DECODER, engine), Map::of),
        OpenAiApi.Settings.defaults().withMaxQueue(1), Clock.systemUTC())) {
      fillTheQueue(small, busy);
    }
  }

  private static void fillTheQueue(OpenAiServer small, String busy) throws Exception {
    OpenAIClient smallClient = OpenAIOkHttpClient.builder().baseUrl(small.url()).apiKey("none")
        .maxRetries(0).build();
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest request = HttpRequest.newBuilder(URI.create(small.url() + "/chat/completions"))
        .header("authorization", "Bearer " + KEY).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(busy)).build();
    HttpResponse<java.util.stream.Stream<String>> first = http.send(request,
        HttpResponse.BodyHandlers.ofLines());
    var lines = first.body().iterator();
    assertThat(lines.next()).startsWith("data: {");

    assertThatThrownBy(() -> smallClient.chat().completions().create(chat("hi").build()))
        .isInstanceOfSatisfying(OpenAIServiceException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(429);
          assertThat(e.headers().values("retry-after")).containsExactly("1");
          assertThat(e.code()).hasValue("rate_limit_exceeded");
        });
    String last = "";
    while (lines.hasNext()) {
      String line = lines.next();
      if (!line.isEmpty()) {
        last = line;
      }
    }
    assertThat(last).isEqualTo("data: [DONE]");
  }

  static HttpResponse<String> post(String path, String body, String key) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("authorization", "Bearer " + key);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
