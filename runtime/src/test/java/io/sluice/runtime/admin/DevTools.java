package io.sluice.runtime.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Headless Chromium driven over the Chrome DevTools Protocol (a WebSocket, the JDK's client): a
 * page is opened, keys are pressed as a person would press them ({@code Input.dispatchKeyEvent}),
 * and expressions are evaluated in the page to read what it shows. For browser tests only.
 */
final class DevTools implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process chromium;
  private final WebSocket socket;
  private final Map<Integer, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();

  private DevTools(Process chromium, WebSocket socket) {
    this.chromium = chromium;
    this.socket = socket;
  }

  /** Starts Chromium on {@code url} and connects to the page. */
  static DevTools open(Path chromium, Path profile, String url) throws Exception {
    Process process = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox",
        "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage",
        "--no-first-run", "--remote-debugging-port=0", "--user-data-dir=" + profile,
        "--window-size=1280,900", url)
        .redirectErrorStream(true).redirectOutput(profile.resolveSibling("chromium-cdp.log")
            .toFile()).start();
    Path portFile = profile.resolve("DevToolsActivePort");
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    HttpClient http = HttpClient.newHttpClient();
    String pageSocket = null;
    while (pageSocket == null) {
      if (Instant.now().isAfter(deadline) || !process.isAlive()) {
        process.destroyForcibly();
        throw new IllegalStateException("Chromium did not open its DevTools port: "
            + Files.readString(profile.resolveSibling("chromium-cdp.log")));
      }
      if (Files.isRegularFile(portFile)) {
        List<String> lines = Files.readAllLines(portFile);
        if (!lines.isEmpty() && !lines.get(0).isBlank()) {
          JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(
              "http://127.0.0.1:" + lines.get(0).strip() + "/json/list")).build(),
              HttpResponse.BodyHandlers.ofString()).body());
          for (JsonNode t : targets) {
            if ("page".equals(t.path("type").asText())) {
              pageSocket = t.path("webSocketDebuggerUrl").asText();
            }
          }
        }
      }
      if (pageSocket == null) {
        process.waitFor(100, TimeUnit.MILLISECONDS);
      }
    }
    DevTools[] self = new DevTools[1];
    StringBuilder partial = new StringBuilder();
    WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(pageSocket),
        new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
              String message = partial.toString();
              partial.setLength(0);
              self[0].onMessage(message);
            }
            ws.request(1);
            return null;
          }
        }).get(30, TimeUnit.SECONDS);
    self[0] = new DevTools(process, socket);
    return self[0];
  }

  private void onMessage(String message) {
    try {
      JsonNode node = JSON.readTree(message);
      if (node.has("id")) {
        CompletableFuture<JsonNode> reply = replies.remove(node.get("id").asInt());
        if (reply != null) {
          reply.complete(node);
        }
      }
    } catch (java.io.IOException e) {
      // not for us
    }
  }

  JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    replies.put(id, reply);
    ObjectNode message = JSON.createObjectNode();
    message.put("id", id);
    message.put("method", method);
    message.set("params", params);
    socket.sendText(message.toString(), true).get(10, TimeUnit.SECONDS);
    JsonNode node = reply.get(30, TimeUnit.SECONDS);
    if (node.has("error")) {
      throw new IllegalStateException(method + ": " + node.get("error"));
    }
    return node.path("result");
  }

  /** The value of a JavaScript expression in the page. */
  JsonNode evaluate(String expression) throws Exception {
    ObjectNode params = JSON.createObjectNode();
    params.put("expression", expression);
    params.put("returnByValue", true);
    return call("Runtime.evaluate", params).path("result").path("value");
  }

  /** Presses and releases one key, as the keyboard would. */
  void press(String key, String code, int keyCode, boolean printable) throws Exception {
    ObjectNode down = JSON.createObjectNode();
    down.put("type", "keyDown");
    down.put("key", key);
    down.put("code", code);
    down.put("windowsVirtualKeyCode", keyCode);
    if (printable) {
      down.put("text", key);
    }
    call("Input.dispatchKeyEvent", down);
    ObjectNode up = JSON.createObjectNode();
    up.put("type", "keyUp");
    up.put("key", key);
    up.put("code", code);
    up.put("windowsVirtualKeyCode", keyCode);
    call("Input.dispatchKeyEvent", up);
  }

  /** Types {@code text} into the focused element. */
  void type(String text) throws Exception {
    ObjectNode params = JSON.createObjectNode();
    params.put("text", text);
    call("Input.insertText", params);
  }

  @Override
  public void close() {
    socket.abort();
    chromium.destroy();
    try {
      if (!chromium.waitFor(10, TimeUnit.SECONDS)) {
        chromium.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      chromium.destroyForcibly();
    }
  }
}
