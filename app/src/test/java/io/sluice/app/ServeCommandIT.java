package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice serve} in a child JVM, as a user starts it: it prints one JSON line with the URL,
 * answers a chat completion there with the tiny decoder's greedy continuation, refuses a request
 * without the key when a token is set, and stops on SIGTERM.
 */
class ServeCommandIT {

  @TempDir Path work;

  @Test
  void servesTheBundleAtTheUrlItPrints() throws Exception {
    Path decoder = Reactor.root().resolve("../shared/models/tiny-decoder").normalize();
    assumeTrue(Files.isRegularFile(decoder.resolve("model.onnx")),
        "Skipped: the tiny decoder is absent (needs ../shared/models)");
    Path output = work.resolve("out.log");
    String classPath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    ProcessBuilder builder = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classPath, "io.sluice.app.Sluice", "serve", "--bundle", decoder.toString(),
        "--port", "0", "--host", "127.0.0.1", "--json"))
        .redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().put("SLUICE_ADMIN_TOKEN", "serve-it-token-0123456789");
    Process serve = builder.start();
    try {
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
          .until(() -> !serve.isAlive() || Files.readString(output, StandardCharsets.UTF_8)
              .contains("{\"url\""));
      assertThat(serve.isAlive()).as(Files.readString(output)).isTrue();
      String line = Files.readAllLines(output, StandardCharsets.UTF_8).stream()
          .filter(l -> l.startsWith("{\"url\"")).findFirst().orElseThrow();
      JsonNode report = new ObjectMapper().readTree(line);
      assertThat(report.get("decoders").get(0).asText()).isEqualTo("tiny-decoder");
      String url = report.get("url").asText();

      HttpClient http = HttpClient.newHttpClient();
      String body = "{\"model\":\"tiny-decoder\",\"messages\":[{\"role\":\"user\",\"content\":"
          + "\"check the\"}],\"temperature\":0}";
      HttpResponse<String> refused = http.send(HttpRequest.newBuilder(
          URI.create(url + "/chat/completions")).header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).isEqualTo(401);
      HttpResponse<String> answered = http.send(HttpRequest.newBuilder(
          URI.create(url + "/chat/completions")).header("content-type", "application/json")
          .header("authorization", "Bearer serve-it-token-0123456789")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
      assertThat(new ObjectMapper().readTree(answered.body())
          .at("/choices/0/message/content").asText()).isEqualTo(" next song we be played");
      assertThat(Files.readString(output)).doesNotContain("serve-it-token-0123456789");
    } finally {
      serve.destroy();
      assertThat(serve.waitFor(60, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
    }
  }
}
