package io.sluice.inference.generate;

import io.sluice.inference.BundleException;
import io.sluice.inference.BundleManifest;
import io.sluice.inference.InferenceException;
import io.sluice.inference.ModelBundle;
import io.sluice.inference.ModelTask;
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
 * ONNX file either beside them or in {@code onnx/}; or a verified bundle of the same files with a
 * {@code bundle.json} of task {@code causal-lm} (roles {@code model}, {@code tokenizer},
 * {@code config}, optionally {@code generation_config}). The model takes {@code input_ids},
 * {@code attention_mask}, {@code position_ids} and {@code past_key_values.N.key|value} and returns
 * {@code logits} and {@code present.N.key|value}; the key/value cache is kept in Java.
 *
 * <p>Generation, scoring and speculative decoding use a {@code CausalLm} through
 * {@link GenerationEngine}, {@link LabelScorer} and {@link SpeculativeDecoder}; one instance may
 * serve all of them (model calls are serialised).
 */
public final class CausalLm implements AutoCloseable {

  /** Bundle file roles beside {@code model} and {@code tokenizer}. */
  public static final String CONFIG = "config";
  public static final String GENERATION_CONFIG = "generation_config";
  private static final byte[] DYNAMIC_QUANTIZER =
      "DynamicQuantizeLinear".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

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

  /**
   * Opens a decoder folder. A folder with a {@code bundle.json} (task {@code causal-lm}) is a
   * verified bundle: every file is checked against the manifest's SHA-256 and refused on a
   * mismatch, the manifest names the model file (so {@link DecoderOptions#modelFile()} is not
   * consulted), and {@code name@version} becomes the model version. Any other folder is read in
   * the Optimum layout and versioned by the model file's SHA-256.
   */
  public static CausalLm open(Path folder, DecoderOptions options) {
    if (!Files.isDirectory(folder)) {
      throw new IllegalArgumentException("Decoder folder " + folder + " does not exist");
    }
    if (Files.isRegularFile(folder.resolve(ModelBundle.MANIFEST_FILE))) {
      return openBundle(folder, options);
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
    return assemble(folder, version, config, tokenizer, !scan.dynamicQuantization(),
        () -> OnnxSession.open(name, modelFile, options.session()));
  }

  private static CausalLm openBundle(Path folder, DecoderOptions options) {
    ModelBundle bundle = ModelBundle.fromPath(folder);
    BundleManifest manifest = bundle.manifest();
    if (manifest.task() != ModelTask.CAUSAL_LM) {
      throw new BundleException("Bundle " + bundle.id() + " (" + folder + ") has task '"
          + manifest.task().id() + "'; a decoder needs task 'causal-lm'");
    }
    if (!manifest.files().containsKey(CONFIG) || !manifest.files().containsKey(
        BundleManifest.TOKENIZER)) {
      throw new BundleException("Bundle " + bundle.id() + " (" + folder + "): a causal-lm bundle"
          + " needs files '" + CONFIG + "' (config.json) and '" + BundleManifest.TOKENIZER
          + "' (tokenizer.json); it has " + manifest.files().keySet());
    }
    DecoderConfig config = DecoderConfig.parse(bundle.file(CONFIG),
        manifest.files().containsKey(GENERATION_CONFIG) ? bundle.file(GENERATION_CONFIG) : null,
        folder.resolve(manifest.files().get(CONFIG).path()).toString());
    DecoderTokenizer tokenizer = DecoderTokenizer.open(bundle.tokenizer(),
        bundle.id() + " tokenizer", config.vocabSize());
    byte[] model = bundle.model();
    String version = options.version().orElse(bundle.id());
    return assemble(folder, version, config, tokenizer,
        indexOf(model, DYNAMIC_QUANTIZER) < 0,
        () -> OnnxSession.open(bundle.id(), model, options.session()));
  }

  private static CausalLm assemble(Path folder, String version, DecoderConfig config,
      DecoderTokenizer tokenizer, boolean batchInvariant,
      java.util.function.Supplier<OnnxSession> session) {
    OnnxSession opened = null;
    try {
      opened = session.get();
      return new CausalLm(folder, version, config, tokenizer, new DecoderModel(opened, config),
          batchInvariant);
    } catch (RuntimeException e) {
      tokenizer.close();
      if (opened != null) {
        opened.close();
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
    byte[] needle = DYNAMIC_QUANTIZER;
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
