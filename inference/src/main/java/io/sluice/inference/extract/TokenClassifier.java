package io.sluice.inference.extract;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.inference.BatchPlanner;
import io.sluice.inference.BundleManifest;
import io.sluice.inference.InferenceException;
import io.sluice.inference.InferenceMeter;
import io.sluice.inference.ModelBundle;
import io.sluice.inference.ModelTask;
import io.sluice.inference.extract.internal.TagDecoder;
import io.sluice.inference.extract.internal.TagScheme;
import io.sluice.inference.extract.internal.TokenModel;
import io.sluice.inference.extract.internal.WordPieces;
import io.sluice.inference.internal.Json;
import io.sluice.inference.internal.NoMeters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An ONNX token-classification model (any Hugging Face {@code *ForTokenClassification} exported
 * to ONNX) as an {@link EntityExtractor}: sub-token logits, softmax, word alignment, BIO or IOBES
 * decoding and a confidence per entity.
 *
 * <p>Design. Words go in as a pre-tokenized sequence, so each sub-token knows its word; a word's
 * tag probabilities are its first sub-token's (the Hugging Face training convention) or the mean
 * over its sub-tokens ({@link TokenClassifierSettings#pooling()}). {@link TagDecoder} then picks
 * the most probable legal tag path (an {@code I-X} only after {@code B-X} or {@code I-X}), so
 * every entity is well formed, and gives each entity the lowest probability among its words' tags.
 *
 * <p>Where models come from: a bundle with {@code task: token-classification} and its
 * {@code labels} (hashes checked), or a folder as Optimum exports it: {@code model.onnx} (or
 * {@code onnx/model.onnx}, or the {@code _quantized} variants), {@code tokenizer.json} and
 * {@code config.json} with {@code id2label}; such a folder has no manifest, so nothing is hashed.
 */
public final class TokenClassifier implements EntityExtractor {

  private final String id;
  private final String version;
  private final TagScheme scheme;
  private final TokenClassifierSettings settings;
  private final TokenModel model;
  private final String output;
  private final BatchPlanner planner;
  private final MeterRegistry registry;
  private final Timer inferenceTime;
  private final Counter texts;

  private TokenClassifier(String id, String version, List<String> labels, byte[] model,
      byte[] tokenizer, int maxTokens, BundleManifest.Tensors tensors,
      TokenClassifierSettings settings, MeterRegistry registry) {
    this.id = id;
    this.version = version;
    try {
      this.scheme = TagScheme.of(labels);
    } catch (IllegalArgumentException e) {
      throw new InferenceException("Model '" + id + "' labels: " + e.getMessage(), e);
    }
    this.settings = settings;
    this.output = tensors.output();
    this.planner = new BatchPlanner(settings.batching());
    this.model = TokenModel.open(id, model, tokenizer, maxTokens, tensors, List.of(output),
        settings.session());
    this.registry = registry;
    this.inferenceTime = InferenceMeter.INFERENCE_TIME.timer(registry, id);
    this.texts = InferenceMeter.TEXTS.counter(registry, id);
  }

  /**
   * Opens {@code classpath:NAME}, a bundle folder (one with {@code bundle.json}) or an Optimum
   * export folder.
   */
  public static TokenClassifier open(String reference, TokenClassifierSettings settings,
      MeterRegistry registry) {
    if (reference.startsWith(ModelBundle.CLASSPATH)
        || Files.exists(Path.of(reference).resolve(ModelBundle.MANIFEST_FILE))
        || reference.endsWith(ModelBundle.MANIFEST_FILE)) {
      return open(ModelBundle.load(reference), settings, registry);
    }
    return openExport(Path.of(reference), settings, registry);
  }

  /** Opens a folder or bundle with the default settings and no meters. */
  public static TokenClassifier open(String reference) {
    return open(reference, TokenClassifierSettings.DEFAULT, NoMeters.registry());
  }

  /** Opens a verified bundle whose task is {@code token-classification}. */
  public static TokenClassifier open(ModelBundle bundle, TokenClassifierSettings settings,
      MeterRegistry registry) {
    BundleManifest manifest = bundle.manifest();
    if (manifest.task() != ModelTask.TOKEN_CLASSIFICATION) {
      throw new InferenceException("Bundle " + bundle + " is a " + manifest.task().id()
          + " model; a token classifier needs task token-classification");
    }
    BundleManifest.Tensors given = manifest.tensors();
    BundleManifest.Tensors tensors = given != null ? given : new BundleManifest.Tensors(
        "input_ids", "attention_mask", "token_type_ids", "logits");
    int maxTokens = manifest.maxTokens() == null ? 512 : manifest.maxTokens();
    return new TokenClassifier(bundle.id(), manifest.version(), manifest.labels(),
        bundle.model(), bundle.tokenizer(), maxTokens, tensors, settings, registry);
  }

  /**
   * Opens an Optimum / transformers.js export folder: the ONNX model, {@code tokenizer.json} and
   * {@code config.json} ({@code id2label}; {@code max_position_embeddings} caps the tokens).
   */
  public static TokenClassifier openExport(Path folder, TokenClassifierSettings settings,
      MeterRegistry registry) {
    if (!Files.isDirectory(folder)) {
      throw new InferenceException(folder + ": not a folder (expected a token-classification "
          + "model: model.onnx, tokenizer.json, config.json; or a bundle with bundle.json)");
    }
    Path model = firstExisting(folder, "model.onnx", "onnx/model.onnx", "model_quantized.onnx",
        "onnx/model_quantized.onnx");
    Path tokenizer = firstExisting(folder, "tokenizer.json");
    Path config = firstExisting(folder, "config.json");
    List<String> labels;
    int maxTokens;
    try {
      JsonNode root = Json.MAPPER.readTree(config.toFile());
      JsonNode id2label = root.get("id2label");
      if (id2label == null || !id2label.isObject() || id2label.isEmpty()) {
        throw new InferenceException(config + ": expected \"id2label\": {\"0\": \"O\", ...}");
      }
      String[] byIndex = new String[id2label.size()];
      var fields = id2label.fields();
      while (fields.hasNext()) {
        var entry = fields.next();
        int index;
        try {
          index = Integer.parseInt(entry.getKey());
        } catch (NumberFormatException e) {
          index = -1;
        }
        if (index < 0 || index >= byIndex.length || !entry.getValue().isTextual()) {
          throw new InferenceException(config + ": id2label." + entry.getKey() + " = "
              + entry.getValue() + "; expected labels keyed 0.." + (byIndex.length - 1));
        }
        byIndex[index] = entry.getValue().asText();
      }
      labels = Arrays.asList(byIndex);
      JsonNode positions = root.get("max_position_embeddings");
      maxTokens = positions != null && positions.canConvertToInt()
          ? Math.min(512, positions.asInt()) : 512;
      byte[] onnx = Files.readAllBytes(model);
      byte[] tokenizerJson = Files.readAllBytes(tokenizer);
      String name = folder.toAbsolutePath().normalize().getFileName().toString();
      return new TokenClassifier(name + "@export", "export", labels, onnx, tokenizerJson,
          maxTokens, new BundleManifest.Tensors("input_ids", "attention_mask", "token_type_ids",
              "logits"), settings, registry);
    } catch (IOException e) {
      throw new InferenceException(folder + ": cannot read the model files: " + e.getMessage(),
          e);
    }
  }

  private static Path firstExisting(Path folder, String... names) {
    for (String name : names) {
      Path path = folder.resolve(name);
      if (Files.isRegularFile(path)) {
        return path;
      }
    }
    throw new InferenceException(folder + ": no " + String.join(" or ", names));
  }

  @Override
  public String modelId() {
    return id;
  }

  @Override
  public String version() {
    return version;
  }

  /** The model's labels (tags), in output order. */
  public List<String> labels() {
    return scheme.tags();
  }

  @Override
  public List<String> entityTypes() {
    return scheme.entityTypes();
  }

  @Override
  public int countTokens(Words words) {
    return model.encode(words).length();
  }

  @Override
  public List<EntityResult> extract(List<Words> textWords) {
    List<WordPieces.Pieces> tokenized = textWords.stream().map(model::encode).toList();
    float[][][] probabilities = probabilities(tokenized);
    List<EntityResult> results = new ArrayList<>(textWords.size());
    for (int i = 0; i < textWords.size(); i++) {
      Words words = textWords.get(i);
      WordPieces.Pieces p = tokenized.get(i);
      float[][] wordProbabilities = wordProbabilities(words, p, probabilities[i]);
      TagDecoder.Decoded decoded = TagDecoder.decode(scheme, wordProbabilities);
      List<Entity> entities = new ArrayList<>();
      for (TagDecoder.Span span : decoded.spans()) {
        entities.add(Entity.of(words, span.type(), span.start(), span.end(),
            span.confidence()));
      }
      results.add(new EntityResult(words, entities, decoded.confidence(), p.length()));
    }
    return results;
  }

  /** The most probable label of every sub-token, special tokens included. */
  public List<TokenLabel> tokenLabels(Words words) {
    WordPieces.Pieces p = model.encode(words);
    float[][] probabilities = probabilities(List.of(p))[0];
    List<TokenLabel> labels = new ArrayList<>(p.length());
    for (int t = 0; t < p.length(); t++) {
      int best = argmax(probabilities[t]);
      labels.add(new TokenLabel(p.tokens()[t], p.ids()[t], p.wordIds()[t], scheme.tags().get(best),
          probabilities[t][best]));
    }
    return labels;
  }

  @Override
  public void close() {
    model.close();
  }

  /** Softmax probabilities of each text's sub-tokens, {@code [text][token][label]}. */
  private float[][][] probabilities(List<WordPieces.Pieces> tokenized) {
    float[][][] out = new float[tokenized.size()][][];
    List<Integer> indices = new ArrayList<>();
    for (int i = 0; i < tokenized.size(); i++) {
      if (tokenized.get(i).length() == 0) {
        out[i] = new float[0][];
      } else {
        indices.add(i);
      }
    }
    for (BatchPlanner.PlannedBatch<Integer> batch
        : planner.plan(indices, i -> tokenized.get(i).length())) {
      List<WordPieces.Pieces> items = batch.items().stream().map(tokenized::get).toList();
      Timer.Sample sample = Timer.start(registry);
      float[][][] logits = model.run(items, List.of(output), scheme.size())[0];
      sample.stop(inferenceTime);
      texts.increment(items.size());
      for (int b = 0; b < items.size(); b++) {
        for (float[] row : logits[b]) {
          softmax(row);
        }
        out[batch.items().get(b)] = logits[b];
      }
    }
    return out;
  }

  private float[][] wordProbabilities(Words words, WordPieces.Pieces p, float[][] tokens) {
    int k = scheme.size();
    float[][] out = new float[words.size()][k];
    int[] counts = new int[words.size()];
    int[] wordIds = p.wordIds();
    for (int t = 0; t < wordIds.length; t++) {
      int word = wordIds[t];
      if (word < 0 || word >= out.length
          || (settings.pooling() == SubwordPooling.FIRST && counts[word] > 0)) {
        continue;
      }
      counts[word]++;
      for (int c = 0; c < k; c++) {
        out[word][c] += tokens[t][c];
      }
    }
    int outside = scheme.indexOf("O");
    for (int w = 0; w < out.length; w++) {
      if (counts[w] == 0) {
        // A word the model never saw (truncated): certain of nothing, so O with probability 0
        // would block decoding; give every tag the same share.
        Arrays.fill(out[w], 1f / k);
        if (outside >= 0) {
          out[w][outside] += 1e-6f;
        }
      } else if (counts[w] > 1) {
        for (int c = 0; c < k; c++) {
          out[w][c] /= counts[w];
        }
      }
    }
    return out;
  }

  static void softmax(float[] row) {
    float max = Float.NEGATIVE_INFINITY;
    for (float v : row) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (int i = 0; i < row.length; i++) {
      row[i] = (float) Math.exp(row[i] - max);
      sum += row[i];
    }
    float inverse = (float) (1 / sum);
    for (int i = 0; i < row.length; i++) {
      row[i] *= inverse;
    }
  }

  private static int argmax(float[] row) {
    int best = 0;
    for (int i = 1; i < row.length; i++) {
      if (row[i] > row[best]) {
        best = i;
      }
    }
    return best;
  }
}
