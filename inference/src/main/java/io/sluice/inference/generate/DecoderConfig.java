package io.sluice.inference.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the decoder runner needs to know about a decoder-only model, read from the
 * {@code config.json} (and, when present, {@code generation_config.json}) that Optimum and
 * transformers.js place beside the ONNX file.
 *
 * @param numLayers {@code num_hidden_layers}: how many {@code past_key_values.N} pairs there are
 * @param numKeyValueHeads {@code num_key_value_heads}, else {@code num_attention_heads}: dimension 1
 *     of every cache tensor (smaller than the query heads in grouped-query attention)
 * @param headDim {@code head_dim}, else {@code hidden_size / num_attention_heads}
 * @param vocabSize {@code vocab_size}: the last dimension of {@code logits}
 * @param maxPositions {@code max_position_embeddings}, or 0 when the config gives none
 * @param eosTokenIds {@code eos_token_id} of the generation config, else of the model config (one
 *     id or a list); generation stops after any of them
 * @param padTokenId {@code pad_token_id}, else the first end-of-sequence id: fills padded slots of a
 *     batch, which the attention mask hides
 * @param bosTokenId {@code bos_token_id}, or -1; fed when a prompt is empty
 * @param defaultMaxNewTokens {@code max_new_tokens} of the generation config, or 0
 */
public record DecoderConfig(
    int numLayers,
    int numKeyValueHeads,
    int headDim,
    int vocabSize,
    int maxPositions,
    List<Integer> eosTokenIds,
    int padTokenId,
    int bosTokenId,
    int defaultMaxNewTokens) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public DecoderConfig {
    eosTokenIds = List.copyOf(eosTokenIds);
    if (numLayers < 1 || numKeyValueHeads < 1 || headDim < 1 || vocabSize < 1) {
      throw new IllegalArgumentException("A decoder needs positive layers, heads, head_dim and"
          + " vocab_size; got " + numLayers + ", " + numKeyValueHeads + ", " + headDim + ", "
          + vocabSize);
    }
  }

  /** Reads {@code dir/config.json} and, if it exists, {@code dir/generation_config.json}. */
  public static DecoderConfig read(Path dir) {
    Path file = dir.resolve("config.json");
    Path generationFile = dir.resolve("generation_config.json");
    return parse(readBytes(file), Files.isRegularFile(generationFile)
        ? readBytes(generationFile) : null, file.toString());
  }

  /**
   * Parses {@code config.json} content and, when not null, {@code generation_config.json}
   * content; {@code where} names the source in errors.
   */
  public static DecoderConfig parse(byte[] configJson, byte[] generationJson, String where) {
    String file = where;
    JsonNode config = parseJson(configJson, where);
    JsonNode generation = generationJson == null
        ? JSON.createObjectNode() : parseJson(generationJson, where + " (generation config)");
    // Some exports nest the language model's settings (multimodal and encoder-decoder configs).
    if (!config.has("num_hidden_layers") && config.has("text_config")) {
      config = config.get("text_config");
    }
    int layers = required(config, "num_hidden_layers", file);
    int heads = required(config, "num_attention_heads", file);
    int kvHeads = config.has("num_key_value_heads")
        ? required(config, "num_key_value_heads", file) : heads;
    int headDim;
    if (config.hasNonNull("head_dim")) {
      headDim = required(config, "head_dim", file);
    } else {
      int hidden = required(config, "hidden_size", file);
      if (hidden % heads != 0) {
        throw new IllegalArgumentException(file + ": hidden_size " + hidden
            + " is not a multiple of num_attention_heads " + heads + "; give head_dim");
      }
      headDim = hidden / heads;
    }
    int vocab = required(config, "vocab_size", file);
    int maxPositions = config.path("max_position_embeddings").asInt(0);
    List<Integer> eos = ids(generation.has("eos_token_id")
        ? generation.get("eos_token_id") : config.get("eos_token_id"));
    if (eos.isEmpty()) {
      throw new IllegalArgumentException(file + ": field 'eos_token_id' is missing; expected an"
          + " id or a list of ids (generation could never stop)");
    }
    JsonNode padNode = generation.has("pad_token_id")
        ? generation.get("pad_token_id") : config.get("pad_token_id");
    int pad = padNode != null && padNode.isInt() ? padNode.asInt() : eos.get(0);
    JsonNode bosNode = generation.has("bos_token_id")
        ? generation.get("bos_token_id") : config.get("bos_token_id");
    int bos = bosNode != null && bosNode.isInt() ? bosNode.asInt() : -1;
    int maxNew = generation.path("max_new_tokens").asInt(0);
    return new DecoderConfig(layers, kvHeads, headDim, vocab, maxPositions, eos, pad, bos, maxNew);
  }

  public boolean isEos(int token) {
    return eosTokenIds.contains(token);
  }

  private static byte[] readBytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode parseJson(byte[] json, String where) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read " + where + ": " + e.getMessage(), e);
    }
  }

  private static int required(JsonNode config, String field, String file) {
    JsonNode value = config.get(field);
    if (value == null || !value.isIntegralNumber()) {
      throw new IllegalArgumentException(file + ": field '" + field + "' is "
          + (value == null ? "missing" : "'" + value + "'") + "; expected an integer");
    }
    return value.asInt();
  }

  private static List<Integer> ids(JsonNode node) {
    List<Integer> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (node.isArray()) {
      node.forEach(n -> out.add(n.asInt()));
    } else {
      out.add(node.asInt());
    }
    return out;
  }
}
