package io.sluice.runtime.openai.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns chat messages into a decoder's prompt. A bundle's {@code tokenizer_config.json} holds a
 * Jinja {@code chat_template}; rather than run Jinja, the two layouts nearly every small instruct
 * model uses are recognised by their markers and written out here: ChatML
 * ({@code <|im_start|>role ... <|im_end|>}: Qwen, SmolLM, Phi-3.5-mini's successors) and Llama 3
 * ({@code <|start_header_id|>role<|end_header_id|>}). Any other template, or none, gets the plain
 * fallback: a single user message is sent as it is; otherwise each message becomes a
 * {@code Role: content} line and the prompt ends with {@code Assistant:}.
 */
public final class ChatTemplate {

  /** One message: its role (system, user, assistant, developer, tool) and text. */
  public record Message(String role, String content) {}

  /** The layouts written out. */
  public enum Style { CHATML, LLAMA3, PLAIN }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Style style;

  private ChatTemplate(Style style) {
    this.style = style;
  }

  public static ChatTemplate of(Style style) {
    return new ChatTemplate(style);
  }

  /** The template of the decoder folder {@code folder}, by its tokenizer config. */
  public static ChatTemplate of(Path folder) {
    Path config = folder.resolve("tokenizer_config.json");
    if (!Files.isRegularFile(config)) {
      return new ChatTemplate(Style.PLAIN);
    }
    try {
      JsonNode template = JSON.readTree(config.toFile()).path("chat_template");
      String text = template.isTextual() ? template.asText() : template.toString();
      if (text.contains("<|im_start|>")) {
        return new ChatTemplate(Style.CHATML);
      }
      if (text.contains("<|start_header_id|>")) {
        return new ChatTemplate(Style.LLAMA3);
      }
      return new ChatTemplate(Style.PLAIN);
    } catch (IOException e) {
      return new ChatTemplate(Style.PLAIN);
    }
  }

  public Style style() {
    return style;
  }

  /** The prompt for {@code messages}, ending where the assistant's reply begins. */
  public String render(List<Message> messages) {
    StringBuilder out = new StringBuilder();
    switch (style) {
      case CHATML -> {
        for (Message m : messages) {
          out.append("<|im_start|>").append(m.role()).append('\n').append(m.content())
              .append("<|im_end|>\n");
        }
        out.append("<|im_start|>assistant\n");
      }
      case LLAMA3 -> {
        out.append("<|begin_of_text|>");
        for (Message m : messages) {
          out.append("<|start_header_id|>").append(m.role()).append("<|end_header_id|>\n\n")
              .append(m.content()).append("<|eot_id|>");
        }
        out.append("<|start_header_id|>assistant<|end_header_id|>\n\n");
      }
      case PLAIN -> {
        if (messages.size() == 1 && messages.get(0).role().equals("user")) {
          return messages.get(0).content();
        }
        for (Message m : messages) {
          out.append(Character.toUpperCase(m.role().charAt(0))).append(m.role().substring(1))
              .append(": ").append(m.content()).append('\n');
        }
        out.append("Assistant:");
      }
      default -> throw new IllegalStateException(style.toString());
    }
    return out.toString();
  }

  /** Texts that end the assistant's turn, besides the model's end-of-sequence ids. */
  public List<String> stops() {
    return switch (style) {
      case CHATML -> List.of("<|im_end|>");
      case LLAMA3 -> List.of("<|eot_id|>");
      case PLAIN -> List.of();
    };
  }
}
