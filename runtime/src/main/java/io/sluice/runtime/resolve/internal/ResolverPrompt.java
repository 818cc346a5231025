package io.sluice.runtime.resolve.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The chat request that asks for one label, and the reading of its reply. The system message
 * lists every label with its description and a few examples; the user message is the text. The
 * reply must be {@code {"label": "<one of the labels>"}}: asked for as a JSON Schema with an
 * enum ({@code response_format: json_schema}, strict), or for servers without it as a JSON object
 * ({@code response_format: json_object}) that is checked here.
 */
public final class ResolverPrompt {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A label as the prompt shows it. */
  public record Label(String name, String description, List<String> examples) {
    public Label {
      examples = List.copyOf(examples);
    }
  }

  /** How the reply is constrained. */
  public enum Format { JSON_SCHEMA, JSON_OBJECT }

  /** A reply read: the label, or what was wrong with it. */
  public record Reading(Optional<String> label, String problem) {}

  private final String model;
  private final List<Label> labels;
  private final Map<String, String> byLowerCase = new LinkedHashMap<>();
  private final String system;
  private final int maxTokens;

  public ResolverPrompt(String model, List<Label> labels, int examplesPerLabel) {
    if (labels.isEmpty()) {
      throw new IllegalArgumentException("A resolver needs at least one label");
    }
    this.model = model;
    this.labels = List.copyOf(labels);
    StringBuilder s = new StringBuilder();
    s.append("You classify short texts from industrial sites (operator notes, alarm texts, work"
        + " orders, requests). Give the one label from the list below that fits the text best."
        + " Reply with a JSON object and nothing else: {\"label\": \"<label>\"}, where <label>"
        + " is written exactly as listed.\n\nLabels:\n");
    int longest = 0;
    for (Label label : labels) {
      byLowerCase.put(label.name().toLowerCase(Locale.ROOT), label.name());
      longest = Math.max(longest, label.name().length());
      s.append("- ").append(label.name());
      if (label.description() != null && !label.description().isBlank()) {
        s.append(": ").append(label.description().strip());
      }
      List<String> shown = label.examples().subList(0,
          Math.min(examplesPerLabel, label.examples().size()));
      if (!shown.isEmpty()) {
        s.append(" (examples: ");
        for (int i = 0; i < shown.size(); i++) {
          s.append(i == 0 ? "" : "; ").append('"').append(shown.get(i).strip()).append('"');
        }
        s.append(')');
      }
      s.append('\n');
    }
    this.system = s.toString();
    // {"label": "..."} in the worst case of one token per character, plus room for spaces.
    this.maxTokens = longest + 24;
  }

  public String system() {
    return system;
  }

  /** A rough token count of a request, for quotas before the server reports usage. */
  public int estimateTokens(String text) {
    return (system.length() + text.length()) / 4 + maxTokens;
  }

  /** The body of {@code POST /chat/completions} for {@code text}. */
  public String request(String text, Format format, boolean logprobs) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", model);
    ArrayNode messages = body.putArray("messages");
    messages.addObject().put("role", "system").put("content", system);
    messages.addObject().put("role", "user").put("content", text);
    body.put("temperature", 0);
    body.put("max_tokens", maxTokens);
    ObjectNode responseFormat = body.putObject("response_format");
    if (format == Format.JSON_SCHEMA) {
      responseFormat.put("type", "json_schema");
      ObjectNode jsonSchema = responseFormat.putObject("json_schema");
      jsonSchema.put("name", "label");
      jsonSchema.put("strict", true);
      ObjectNode schema = jsonSchema.putObject("schema");
      schema.put("type", "object");
      ObjectNode label = schema.putObject("properties").putObject("label");
      label.put("type", "string");
      ArrayNode values = label.putArray("enum");
      labels.forEach(l -> values.add(l.name()));
      schema.putArray("required").add("label");
      schema.put("additionalProperties", false);
    } else {
      responseFormat.put("type", "json_object");
    }
    if (logprobs) {
      body.put("logprobs", true);
    }
    try {
      return JSON.writeValueAsString(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads the assistant message's content: a label of the set, or the problem with it. */
  public Reading read(String content, String finishReason) {
    if (content == null) {
      return new Reading(Optional.empty(), "the reply has no message content");
    }
    String text = content.strip();
    if (text.startsWith("```")) { // some servers fence JSON even when asked for an object
      text = text.replaceFirst("^```[a-zA-Z]*\\s*", "").replaceFirst("\\s*```$", "");
    }
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (java.io.IOException e) {
      return new Reading(Optional.empty(), "the reply is not JSON"
          + ("length".equals(finishReason) ? " (cut at max_tokens)" : "") + ": "
          + abbreviate(text));
    }
    if (node == null || !node.path("label").isTextual()) {
      return new Reading(Optional.empty(), "the reply has no string field label: "
          + abbreviate(text));
    }
    String given = node.get("label").textValue().strip();
    String known = byLowerCase.get(given.toLowerCase(Locale.ROOT));
    if (known == null) {
      return new Reading(Optional.empty(), "the reply's label '" + abbreviate(given)
          + "' is not in the label set");
    }
    return new Reading(Optional.of(known), null);
  }

  private static String abbreviate(String s) {
    String one = s.replaceAll("\\s+", " ");
    return one.length() <= 80 ? one : one.substring(0, 77) + "...";
  }
}
