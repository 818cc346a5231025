package io.sluice.inference.generate;

import io.sluice.inference.InferenceException;
import io.sluice.inference.OnnxSession;
import io.sluice.inference.generate.internal.DecoderModel;
import io.sluice.inference.generate.internal.Sequence;
import io.sluice.inference.generate.internal.TokenMasks;
import io.sluice.inference.generate.internal.TokenTrie;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A decoder-only language model opened from a folder in the Optimum / transformers.js layout:
 * {@code config.json}, {@code tokenizer.json}, optionally {@code generation_config.json}, and the
 * ONNX file either beside them or in {@code onnx/}. The model takes {@code input_ids},
 * {@code attention_mask}, {@code position_ids} and {@code past_key_values.N.key|value} and returns
 * {@code logits} and {@code present.N.key|value}; the key/value cache is kept in Java.
 *
 * <p>Generation, scoring and speculative decoding use a {@code CausalLm} through
 * {@link GenerationEngine}, {@link LabelScorer} and {@link SpeculativeDecoder}; one instance may
 * serve all of them (model calls are serialised).
 */
public final class CausalLm implements AutoCloseable {

  private final Path folder;
  private final String version;
  private final DecoderConfig config;
  private final DecoderTokenizer tokenizer;
  private final DecoderModel model;
  private final boolean batchInvariant;
  private TokenTrie trie;

  private CausalLm(Path folder, String version, DecoderConfig config, DecoderTokenizer tokenizer,
      DecoderModel model, boolean batchInvariant) {
    this.batchInvariant = batchInvariant;
    this.folder = folder;
    this.version = version;
    this.config = config;
    this.tokenizer = tokenizer;
    this.model = model;
  }

  public static CausalLm open(Path folder, DecoderOptions options) {
    if (!Files.isDirectory(folder)) {
      throw new IllegalArgumentException("Decoder folder " + folder + " does not exist");
    }
    Path beside = folder.resolve(options.modelFile());
    Path modelFile = Files.isRegularFile(beside)
        ? beside : folder.resolve("onnx").resolve(options.modelFile());
    if (!Files.isRegularFile(modelFile)) {
      throw new IllegalArgumentException("Decoder folder " + folder + " has no "
          + options.modelFile() + " (looked beside config.json and in onnx/)");
    }
    Path tokenizerFile = folder.resolve("tokenizer.json");
    if (!Files.isRegularFile(tokenizerFile)) {
      throw new IllegalArgumentException("Decoder folder " + folder + " has no tokenizer.json");
    }
    DecoderConfig config = DecoderConfig.read(folder);
    String name = folder.getFileName() + "/" + options.modelFile();
    ModelScan scan = scan(modelFile);
    String version = options.version().orElse(name + "@" + scan.sha256());
    DecoderTokenizer tokenizer = DecoderTokenizer.open(tokenizerFile, config.vocabSize());
    OnnxSession session = null;
    try {
      session = OnnxSession.open(name, modelFile, options.session());
      return new CausalLm(folder, version, config, tokenizer, new DecoderModel(session, config),
          !scan.dynamicQuantization());
    } catch (RuntimeException e) {
      tokenizer.close();
      if (session != null) {
        session.close();
      }
      throw e;
    }
  }

  public Path folder() {
    return folder;
  }

  /**
   * False when the model quantizes activations dynamically ({@code DynamicQuantizeLinear}, as
   * Optimum's and ONNX Runtime's dynamic int8 quantization do): the activation scale is taken over
   * the whole batch tensor, so a sequence's output can depend on what it is batched with. Use a
   * batch size of 1 where outputs must not depend on traffic.
   */
  public boolean batchInvariant() {
    return batchInvariant;
  }

  /** Identifies the exact weights: the prefix cache never mixes two versions' states. */
  public String version() {
    return version;
  }

  public DecoderConfig config() {
    return config;
  }

  public DecoderTokenizer tokenizer() {
    return tokenizer;
  }

  public String name() {
    return model.modelName();
  }

  DecoderModel model() {
    return model;
  }

  /** The vocabulary as a byte trie, built on first use by a constraint. */
  synchronized TokenTrie trie() {
    if (trie == null) {
      trie = new TokenTrie(tokenizer.vocabulary());
    }
    return trie;
  }

  /** A sequence ready to decode {@code request} under this model's rules. */
  Sequence newSequence(GenerationRequest request) {
    TokenMasks masks = request.constraint().map(c -> c.masksFor(trie())).orElse(null);
    return new Sequence(request, config, tokenizer.vocabulary(), masks);
  }

  @Override
  public void close() {
    model.close();
    tokenizer.close();
  }

  private record ModelScan(String sha256, boolean dynamicQuantization) {}

  /**
   * Hashes the model file and looks for the {@code DynamicQuantizeLinear} operator name, which an
   * ONNX file stores as plain text in its graph (and rarely anywhere else: a false hit only makes
   * {@link #batchInvariant()} cautious).
   */
  private static ModelScan scan(Path file) {
    byte[] needle = "DynamicQuantizeLinear".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      byte[] tail = new byte[0];
      boolean found = false;
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
        if (!found) {
          byte[] window = new byte[tail.length + n];
          System.arraycopy(tail, 0, window, 0, tail.length);
          System.arraycopy(buffer, 0, window, tail.length, n);
          found = indexOf(window, needle) >= 0;
          tail = java.util.Arrays.copyOfRange(window, Math.max(0, window.length - needle.length),
              window.length);
        }
      }
      return new ModelScan(HexFormat.of().formatHex(digest.digest()).substring(0, 16), found);
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new InferenceException("Cannot read model file " + file + ": " + e.getMessage(), e);
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
