package io.sluice.inference.generate.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * The exact bytes each token id stands for, read from a Hugging Face {@code tokenizer.json}. The
 * tokenizer library turns ids into text, but constrained decoding and streaming need bytes: a
 * byte-level token can end in the middle of a UTF-8 character.
 *
 * <p>Two vocabularies are understood: byte-level BPE (GPT-2, Qwen, the tiny test models), whose
 * token strings spell bytes through the GPT-2 byte-to-character table, and SentencePiece-style
 * BPE (Llama, Mistral), where {@code ▁} is a space and {@code <0xAB>} tokens are raw bytes.
 * Special tokens (end of text, padding, chat markers) stand for no bytes: {@link #bytes} returns
 * {@code null} for them.
 */
public final class TokenBytes {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final byte[][] bytes;
  private final boolean[] special;

  private TokenBytes(byte[][] bytes, boolean[] special) {
    this.bytes = bytes;
    this.special = special;
  }

  public static TokenBytes read(Path tokenizerJson, int vocabSize) {
    try {
      return read(java.nio.file.Files.readAllBytes(tokenizerJson), tokenizerJson.toString(),
          vocabSize);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read tokenizer " + tokenizerJson + ": "
          + e.getMessage(), e);
    }
  }

  /** Reads {@code tokenizer.json} content; {@code tokenizerJson} names it in errors. */
  public static TokenBytes read(byte[] json, String tokenizerJson, int vocabSize) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read tokenizer " + tokenizerJson + ": "
          + e.getMessage(), e);
    }
    JsonNode model = root.path("model");
    if (!"BPE".equals(model.path("type").asText())) {
      throw new IllegalArgumentException("Tokenizer " + tokenizerJson + ": model.type is '"
          + model.path("type").asText() + "'; decoder models need a BPE vocabulary");
    }
    boolean byteLevel = usesByteLevel(root.path("decoder")) || usesByteLevel(root.path("pre_tokenizer"));
    int[] byteOfChar = byteLevel ? gpt2CharToByte() : null;
    int size = vocabSize;
    JsonNode vocab = model.path("vocab");
    for (Map.Entry<String, JsonNode> entry : vocab.properties()) {
      size = Math.max(size, entry.getValue().asInt() + 1);
    }
    for (JsonNode added : root.path("added_tokens")) {
      size = Math.max(size, added.path("id").asInt() + 1);
    }
    byte[][] bytes = new byte[size][];
    boolean[] special = new boolean[size];
    for (Map.Entry<String, JsonNode> entry : vocab.properties()) {
      int id = entry.getValue().asInt();
      bytes[id] = byteLevel ? fromByteLevel(entry.getKey(), byteOfChar, tokenizerJson)
          : fromSentencePiece(entry.getKey());
    }
    for (JsonNode added : root.path("added_tokens")) {
      int id = added.path("id").asInt();
      if (added.path("special").asBoolean(false)) {
        special[id] = true;
        bytes[id] = null;
      } else {
        bytes[id] = added.path("content").asText().getBytes(StandardCharsets.UTF_8);
      }
    }
    return new TokenBytes(bytes, special);
  }

  /** The bytes of {@code id}, or {@code null} for special tokens and unused ids. */
  public byte[] bytes(int id) {
    return id >= 0 && id < bytes.length ? bytes[id] : null;
  }

  public boolean isSpecial(int id) {
    return id >= 0 && id < special.length && special[id];
  }

  public int size() {
    return bytes.length;
  }

  /** Appends the bytes of every non-special token in {@code ids}. */
  public byte[] concat(int[] ids, int from, int to) {
    int total = 0;
    for (int i = from; i < to; i++) {
      byte[] b = bytes(ids[i]);
      total += b == null ? 0 : b.length;
    }
    byte[] out = new byte[total];
    int at = 0;
    for (int i = from; i < to; i++) {
      byte[] b = bytes(ids[i]);
      if (b != null) {
        System.arraycopy(b, 0, out, at, b.length);
        at += b.length;
      }
    }
    return out;
  }

  private static boolean usesByteLevel(JsonNode component) {
    if ("ByteLevel".equals(component.path("type").asText())) {
      return true;
    }
    for (JsonNode child : component.path("decoders")) {
      if (usesByteLevel(child)) {
        return true;
      }
    }
    for (JsonNode child : component.path("pretokenizers")) {
      if (usesByteLevel(child)) {
        return true;
      }
    }
    return false;
  }

  private static byte[] fromByteLevel(String token, int[] byteOfChar, String file) {
    byte[] out = new byte[token.length()];
    int n = 0;
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      int b = c < byteOfChar.length ? byteOfChar[c] : -1;
      if (b < 0) {
        throw new IllegalArgumentException("Tokenizer " + file + ": token '" + token
            + "' has character U+" + Integer.toHexString(c) + ", which is not in the byte-level"
            + " alphabet");
      }
      out[n++] = (byte) b;
    }
    return Arrays.copyOf(out, n);
  }

  private static byte[] fromSentencePiece(String token) {
    if (token.length() == 6 && token.startsWith("<0x") && token.endsWith(">")) {
      try {
        return new byte[] {(byte) Integer.parseInt(token.substring(3, 5), 16)};
      } catch (NumberFormatException e) {
        // an ordinary token that happens to look similar
      }
    }
    return token.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The inverse of GPT-2's byte-to-character table: printable Latin-1 bytes stand for themselves
   * and the other 68 bytes are moved, in order, to the characters from U+0100 on.
   */
  static int[] gpt2CharToByte() {
    int[] byteOfChar = new int[512];
    Arrays.fill(byteOfChar, -1);
    int shifted = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      if (printable) {
        byteOfChar[b] = b;
      } else {
        byteOfChar[256 + shifted] = b;
        shifted++;
      }
    }
    return byteOfChar;
  }
}
