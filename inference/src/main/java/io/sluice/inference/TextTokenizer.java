package io.sluice.inference;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.inference.internal.DjlNatives;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A bundle's Hugging Face tokenizer (DJL), set up for batching: no padding (a batch is padded to
 * its own longest text when it is packed, see {@link TokenizedBatch}), truncation at the bundle's
 * max tokens whatever the {@code tokenizer.json} says (the all-MiniLM jar's file pads and
 * truncates everything to 128), and each truncation counted in
 * {@link InferenceMeter#TRUNCATIONS}.
 *
 * <p>Thread-safe: encodes run concurrently; {@link #close()} waits for them and is idempotent.
 */
public final class TextTokenizer implements AutoCloseable {

  private final String model;
  private final HuggingFaceTokenizer tokenizer;
  private final int maxTokens;
  private final String textPrefix;
  private final Counter truncations;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  private TextTokenizer(String model, HuggingFaceTokenizer tokenizer, int maxTokens,
      String textPrefix, Counter truncations) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.maxTokens = maxTokens;
    this.textPrefix = textPrefix;
    this.truncations = truncations;
  }

  /** The tokenizer of an encoder bundle, truncating at its {@code maxTokens} (512 if unset). */
  public static TextTokenizer open(ModelBundle bundle, MeterRegistry registry) {
    BundleManifest manifest = bundle.manifest();
    int maxTokens = manifest.maxTokens() == null ? 512 : manifest.maxTokens();
    return open(bundle.id(), bundle.tokenizer(), maxTokens, manifest.textPrefixOrEmpty(),
        registry);
  }

  /**
   * A tokenizer from {@code tokenizer.json} bytes.
   *
   * @param model the model id, for errors and meter tags
   * @param textPrefix prepended to every text (e5 wants {@code "query: "})
   */
  public static TextTokenizer open(String model, byte[] tokenizerJson, int maxTokens,
      String textPrefix, MeterRegistry registry) {
    if (maxTokens < 2) {
      throw new IllegalArgumentException("maxTokens must leave room for special tokens, got "
          + maxTokens);
    }
    DjlNatives.configure();
    Map<String, String> options = Map.of(
        "padding", "false",
        "truncation", "true",
        "maxLength", Integer.toString(maxTokens),
        "addSpecialTokens", "true");
    HuggingFaceTokenizer tokenizer;
    try {
      tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson),
          options);
    } catch (IOException | RuntimeException e) {
      throw new InferenceException("Cannot load the tokenizer of model '" + model + "': "
          + e.getMessage(), e);
    }
    return new TextTokenizer(model, tokenizer, maxTokens, textPrefix,
        InferenceMeter.TRUNCATIONS.counter(registry, model));
  }

  /** Tokenizes each text (in order), truncating at max tokens. */
  public List<TokenizedText> tokenize(List<String> texts) {
    if (texts.isEmpty()) {
      return List.of();
    }
    String[] inputs = new String[texts.size()];
    for (int i = 0; i < inputs.length; i++) {
      String text = texts.get(i);
      if (text == null) {
        throw new InferenceException("Model '" + model + "': text " + i + " of " + inputs.length
            + " is null");
      }
      inputs[i] = textPrefix + text;
    }
    Encoding[] encodings;
    lock.readLock().lock();
    try {
      if (closed) {
        throw new InferenceException("The tokenizer of model '" + model + "' is closed");
      }
      encodings = tokenizer.batchEncode(inputs);
    } catch (RuntimeException e) {
      if (e instanceof InferenceException ie) {
        throw ie;
      }
      throw new InferenceException("Model '" + model + "' cannot tokenize " + inputs.length
          + " texts: " + e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
    List<TokenizedText> result = new ArrayList<>(encodings.length);
    int truncated = 0;
    for (Encoding encoding : encodings) {
      boolean cut = encoding.exceedMaxLength();
      truncated += cut ? 1 : 0;
      result.add(new TokenizedText(encoding.getIds(), encoding.getTypeIds(), cut));
    }
    if (truncated > 0) {
      truncations.increment(truncated);
    }
    return result;
  }

  public TokenizedText tokenize(String text) {
    return tokenize(List.of(text)).get(0);
  }

  public int maxTokens() {
    return maxTokens;
  }

  public String model() {
    return model;
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        tokenizer.close();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }
}
