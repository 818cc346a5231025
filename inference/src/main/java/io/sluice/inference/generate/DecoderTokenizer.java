package io.sluice.inference.generate;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.sluice.inference.generate.internal.TokenBytes;
import io.sluice.inference.internal.DjlNatives;
import io.sluice.inference.internal.LargeStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The tokenizer of a decoder model: DJL's binding of Hugging Face {@code tokenizers} encodes text
 * (no special tokens are added, as for a continuation), and the vocabulary's own byte table
 * decodes, so decoding agrees byte for byte with what constrained decoding and streaming see.
 */
public final class DecoderTokenizer implements AutoCloseable {

  private final String source;
  private final HuggingFaceTokenizer tokenizer;
  private final TokenBytes bytes;

  private DecoderTokenizer(String source, HuggingFaceTokenizer tokenizer, TokenBytes bytes) {
    this.source = source;
    this.tokenizer = tokenizer;
    this.bytes = bytes;
  }

  /** Loads {@code tokenizer.json}; {@code vocabSize} is the model's logits width. */
  public static DecoderTokenizer open(Path tokenizerJson, int vocabSize) {
    try {
      return open(java.nio.file.Files.readAllBytes(tokenizerJson), tokenizerJson.toString(),
          vocabSize);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("Cannot read tokenizer " + tokenizerJson + ": "
          + e.getMessage(), e);
    }
  }

  /** Loads {@code tokenizer.json} content; {@code source} names it in errors. */
  public static DecoderTokenizer open(byte[] tokenizerJson, String source, int vocabSize) {
    DjlNatives.configure();
    try {
      // Building a tokenizer parses its JSON in native code that can overflow a default stack.
      HuggingFaceTokenizer tokenizer = LargeStack.call("sluice-decoder-tokenizer-load",
          () -> HuggingFaceTokenizer.newInstance(new java.io.ByteArrayInputStream(tokenizerJson),
              Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false",
                  "modelMaxLength", String.valueOf(Integer.MAX_VALUE))));
      return new DecoderTokenizer(source, tokenizer, TokenBytes.read(tokenizerJson, source,
          vocabSize));
    } catch (Exception e) {
      throw new IllegalArgumentException("Cannot load tokenizer " + source + ": "
          + e.getMessage(), e);
    }
  }

  /** Token ids of {@code text}, without special tokens. */
  public int[] encode(String text) {
    long[] ids = tokenizer.encode(text, false, false).getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  /** The text of {@code ids}, skipping special tokens; broken UTF-8 becomes U+FFFD. */
  public String decode(int[] ids) {
    return new String(bytes.concat(ids, 0, ids.length), StandardCharsets.UTF_8);
  }

  /** The bytes one token stands for, or {@code null} for a special token. */
  public byte[] tokenBytes(int id) {
    byte[] b = bytes.bytes(id);
    return b == null ? null : b.clone();
  }

  /** Where the tokenizer was read from, for messages. */
  public String source() {
    return source;
  }

  TokenBytes vocabulary() {
    return bytes;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
