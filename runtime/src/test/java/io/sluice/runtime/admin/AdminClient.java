package io.sluice.runtime.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Test calls to a running admin server, and checks of its JSON errors. */
final class AdminClient {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private AdminClient() {}

  static HttpRequest.Builder request(String url, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  static HttpResponse<String> get(String url, String token) throws Exception {
    return HTTP.send(request(url, token).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String url, String body, String token) throws Exception {
    return HTTP.send(request(url, token).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body());
  }

  /** The {@code error} object of a JSON error answer. */
  static JsonNode error(HttpResponse<String> response) throws Exception {
    return json(response).get("error");
  }

  /** A JSON error with this status and message; with a field, naming it and what is expected. */
  static void assertError(HttpResponse<String> response, int status, String field,
      String message) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type").orElse(""))
        .startsWith("application/json");
    JsonNode error = error(response);
    assertThat(error.get("status").asInt()).isEqualTo(status);
    assertThat(error.get("message").asText()).contains(message);
    if (field != null) {
      assertThat(error.get("field").asText()).isEqualTo(field);
      assertThat(error.get("expected").asText()).isNotBlank();
    }
  }
}
