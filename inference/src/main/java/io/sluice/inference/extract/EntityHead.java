package io.sluice.inference.extract;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.inference.InferenceException;
import io.sluice.inference.extract.internal.Lexicon;
import io.sluice.inference.extract.internal.TagDecoder;
import io.sluice.inference.extract.internal.TagScheme;
import io.sluice.inference.extract.internal.TaggerNetwork;
import io.sluice.inference.internal.Json;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An entity tagger trained on the gateway over a frozen encoder's word states.
 *
 * <p>Design. Nested entities are handled with one tagging layer per nesting depth: layer 0
 * tags the outermost entities, layer 1 those directly inside them, and so on up to
 * {@link EntityHeadSettings#nestingLayers()} (deeper ones are left out of training and counted
 * in {@link #skippedEntities()}). All layers share one small network ({@link TaggerNetwork}: a
 * word and its neighbours' states, one hidden layer, a softmax per layer); an ensemble of such
 * networks, trained from different seeds, averages their probabilities. Decoding takes each
 * layer's most probable legal tag path ({@link TagDecoder}) and keeps an inner entity only inside
 * an entity of the layer above, as nesting in the data always is. Types are cut to the chosen
 * hierarchy level before training, so a level-1 head tags the five top classes. Tags are IOBES by
 * default ({@link EntityHeadSettings.Tagging}): with an end tag and a single-word tag the tagger
 * is taught where each entity stops, which BIO leaves to the next word's tag; on MaintIE most
 * errors were span boundaries, and IOBES lifted dev F1 by about 0.02 (docs/BENCHMARKS.md).
 *
 * <p>A head remembers what it was trained on: the encoder bundle's id and the layers and
 * sub-word pooling of its word states, so a saved head is refused by an encoder that would feed
 * it different states.
 */
public final class EntityHead {

  private static final int MAGIC = 0x534C4548; // SLEH
  private static final int FORMAT = 1;
  /** Folds of the cross-fitted lexicon features a head trains on. */
  private static final int LEXICON_FOLDS = 5;

  private final String modelId;
  private final List<Integer> layers;
  private final SubwordPooling pooling;
  private final int level;
  private final EntityHeadSettings.Tagging tagging;
  private final List<String> types;
  private final TagScheme scheme;
  private final List<TaggerNetwork> networks;
  private final Lexicon lexicon;
  private final double temperature;
  private final int trainingTexts;
  private final int skippedEntities;

  private EntityHead(String modelId, List<Integer> layers, SubwordPooling pooling, int level,
      EntityHeadSettings.Tagging tagging, List<String> types, List<TaggerNetwork> networks,
      Lexicon lexicon, double temperature, int trainingTexts, int skippedEntities) {
    this.modelId = modelId;
    this.layers = List.copyOf(layers);
    this.pooling = pooling;
    this.level = level;
    this.tagging = tagging;
    this.types = List.copyOf(types);
    this.scheme = scheme(tagging, types);
    this.networks = List.copyOf(networks);
    this.lexicon = lexicon;
    this.temperature = temperature;
    this.trainingTexts = trainingTexts;
    this.skippedEntities = skippedEntities;
  }

  /**
   * Trains a head on labelled texts and their word states (from {@code encoder}).
   *
   * @param typeOrder types in the order to list them (a scheme's), or empty for first-seen order;
   *     types the data has but the order lacks come after
   * @throws IllegalArgumentException when the texts hold no entity, or states do not match texts
   */
  public static EntityHead train(WordEncoder encoder, List<AnnotatedText> texts,
      List<WordStates> states, List<String> typeOrder, EntityHeadSettings settings) {
    if (texts.size() != states.size()) {
      throw new IllegalArgumentException(texts.size() + " texts but states for "
          + states.size());
    }
    Set<String> seen = new LinkedHashSet<>();
    for (AnnotatedText text : texts) {
      for (EntitySpan e : text.entities()) {
        seen.add(EntityTypes.atLevel(e.type(), settings.level()));
      }
    }
    if (seen.isEmpty()) {
      throw new IllegalArgumentException("the training texts hold no entity to learn from");
    }
    List<String> types = new ArrayList<>();
    for (String type : typeOrder) {
      String cut = EntityTypes.atLevel(type, settings.level());
      if (seen.contains(cut) && !types.contains(cut)) {
        types.add(cut);
      }
    }
    for (String type : seen) {
      if (!types.contains(type)) {
        types.add(type);
      }
    }
    TagScheme scheme = scheme(settings.tagging(), types);
    List<List<String>> words = new ArrayList<>(texts.size());
    List<float[][]> vectors = new ArrayList<>(texts.size());
    List<int[][]> tags = new ArrayList<>(texts.size());
    List<Set<EntitySpan>> gold = new ArrayList<>(texts.size());
    int skipped = 0;
    for (int i = 0; i < texts.size(); i++) {
      AnnotatedText text = texts.get(i);
      WordStates s = states.get(i);
      if (s.size() != text.words().size()) {
        throw new IllegalArgumentException("text " + i + " has " + text.words().size()
            + " words but " + s.size() + " states");
      }
      if (s.size() == 0) {
        continue;
      }
      int[][] layerTags = new int[settings.nestingLayers()][s.size()];
      skipped += tag(text, settings, scheme, layerTags);
      words.add(text.words().words());
      vectors.add(s.vectors());
      tags.add(layerTags);
      Set<EntitySpan> spans = new HashSet<>();
      for (EntitySpan e : text.entities()) {
        spans.add(new EntitySpan(e.start(), e.end(), EntityTypes.atLevel(e.type(),
            settings.level())));
      }
      gold.add(spans);
    }
    int[] counts = new int[settings.nestingLayers()];
    Arrays.fill(counts, scheme.size());
    ExecutorService pool = settings.threads() > 1
        ? Executors.newFixedThreadPool(settings.threads(), daemonThreads()) : null;
    try {
      double temperature = 1.0;
      int every = settings.calibrationShare() > 0
          ? Math.max(2, (int) Math.round(1 / settings.calibrationShare())) : 0;
      if (every > 0 && words.size() >= 2 * every) {
        // Fit the temperature on every n-th text, with a head trained on the others.
        Training fitting = Training.empty();
        Training held = Training.empty();
        for (int i = 0; i < words.size(); i++) {
          Training into = i % every == every - 1 ? held : fitting;
          into.words().add(words.get(i));
          into.vectors().add(vectors.get(i));
          into.tags().add(tags.get(i));
          into.gold().add(gold.get(i));
        }
        Fitted part = fit(fitting, settings, scheme, counts, pool);
        temperature = part.temperature(held, scheme);
      }
      Fitted all = fit(new Training(words, vectors, tags, gold), settings, scheme, counts,
          pool);
      return new EntityHead(encoder.modelId(), encoder.settings().layers(),
          encoder.settings().pooling(), settings.level(), settings.tagging(), types,
          all.networks(), all.lexicon(), temperature, texts.size(), skipped);
    } finally {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
  }

  /** Training texts: their words, word states, gold tags per layer and gold entities. */
  private record Training(List<List<String>> words, List<float[][]> vectors,
      List<int[][]> tags, List<Set<EntitySpan>> gold) {

    static Training empty() {
      return new Training(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
          new ArrayList<>());
    }
  }

  /** Trained networks and the lexicon their inputs need. */
  private record Fitted(List<TaggerNetwork> networks, Lexicon lexicon) {

    float[][] inputs(List<String> words, float[][] vectors) {
      return lexicon == null ? vectors : concat(vectors, lexicon.features(words));
    }

    /**
     * The temperature that makes the confidences of the entities found in held-out texts match
     * how often those entities are right: the one, of a log-spaced grid, that maximizes their
     * Bernoulli likelihood (an entity is right when its span and type are gold). Entity
     * confidences are what rules and users read; fitting word-level tag likelihood instead left
     * IOBES heads far too unsure of their entities (docs/BENCHMARKS.md, Extraction).
     */
    double temperature(Training held, TagScheme scheme) {
      List<List<float[][][]>> logits = new ArrayList<>(held.words().size());
      for (int i = 0; i < held.words().size(); i++) {
        float[][] input = inputs(held.words().get(i), held.vectors().get(i));
        List<float[][][]> members = new ArrayList<>(networks.size());
        for (TaggerNetwork network : networks) {
          members.add(network.logits(input));
        }
        logits.add(members);
      }
      double best = 1.0;
      double bestLoss = Double.POSITIVE_INFINITY;
      for (int step = 0; step < TEMPERATURE_STEPS; step++) {
        double t = MIN_TEMPERATURE * Math.pow(MAX_TEMPERATURE / MIN_TEMPERATURE,
            step / (TEMPERATURE_STEPS - 1.0));
        double loss = 0;
        int entities = 0;
        for (int i = 0; i < logits.size(); i++) {
          for (TagDecoder.Span span : decodeSpans(scheme,
              TaggerNetwork.meanProbabilities(logits.get(i), t)).spans()) {
            double c = Math.min(1 - 1e-6, Math.max(1e-6, span.confidence()));
            boolean right = held.gold().get(i).contains(
                new EntitySpan(span.start(), span.end(), span.type()));
            loss -= right ? Math.log(c) : Math.log(1 - c);
            entities++;
          }
        }
        if (entities > 0 && loss < bestLoss) {
          bestLoss = loss;
          best = t;
        }
      }
      return best;
    }
  }

  private static final double MIN_TEMPERATURE = 0.1;
  private static final double MAX_TEMPERATURE = 10.0;
  private static final int TEMPERATURE_STEPS = 41;

  /** Entities of every nesting layer (an inner one kept only inside an outer one). */
  private record Spans(List<TagDecoder.Span> spans, double confidence) {}

  private static Spans decodeSpans(TagScheme scheme, float[][][] probabilities) {
    List<TagDecoder.Span> kept = new ArrayList<>();
    List<TagDecoder.Span> above = null;
    double confidence = 1.0;
    for (float[][] layer : probabilities) {
      TagDecoder.Decoded decoded = TagDecoder.decode(scheme, layer);
      confidence = Math.min(confidence, decoded.confidence());
      List<TagDecoder.Span> here = new ArrayList<>();
      for (TagDecoder.Span span : decoded.spans()) {
        if (above == null || insideOne(span, above)) {
          here.add(span);
        }
      }
      kept.addAll(here);
      above = here;
    }
    return new Spans(kept, confidence);
  }

  private static Fitted fit(Training training, EntityHeadSettings settings, TagScheme scheme,
      int[] counts, ExecutorService pool) {
    Lexicon lexicon = null;
    List<float[][]> inputs = training.vectors();
    if (settings.lexicon()) {
      lexicon = Lexicon.count(training.words(), training.tags(), settings.nestingLayers(),
          scheme.size(), scheme);
      List<Lexicon> crossFitted = Lexicon.crossFitted(training.words(), training.tags(),
          settings.nestingLayers(), scheme.size(), scheme, LEXICON_FOLDS);
      inputs = new ArrayList<>(inputs.size());
      for (int i = 0; i < training.vectors().size(); i++) {
        inputs.add(concat(training.vectors().get(i),
            crossFitted.get(i).features(training.words().get(i))));
      }
    }
    TaggerNetwork.Settings net = new TaggerNetwork.Settings(settings.hidden(), settings.context(),
        settings.epochs(), settings.batchSize(), settings.learningRate(), settings.weightDecay(),
        settings.dropout(), settings.threads(), settings.averaging());
    List<TaggerNetwork> networks = new ArrayList<>();
    for (int member = 0; member < settings.ensemble(); member++) {
      networks.add(TaggerNetwork.train(inputs, training.tags(), counts,
          settings.crf() ? scheme : null, net, new SplittableRandom(settings.seed() + member),
          pool));
    }
    return new Fitted(networks, lexicon);
  }

  private static float[][] concat(float[][] a, float[][] b) {
    float[][] out = new float[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = Arrays.copyOf(a[i], a[i].length + b[i].length);
      System.arraycopy(b[i], 0, out[i], a[i].length, b[i].length);
    }
    return out;
  }

  /**
   * Fills each layer's tags (BIO or IOBES) from the text's entities; returns how many were left
   * out.
   */
  private static int tag(AnnotatedText text, EntityHeadSettings settings, TagScheme scheme,
      int[][] layerTags) {
    Set<EntitySpan> cut = new LinkedHashSet<>();
    for (EntitySpan e : text.entities()) {
      cut.add(new EntitySpan(e.start(), e.end(), EntityTypes.atLevel(e.type(), settings.level())));
    }
    List<EntitySpan> spans = new ArrayList<>(cut);
    int skipped = 0;
    for (EntitySpan e : spans) {
      int depth = 0;
      for (EntitySpan other : spans) {
        if (other != e && e.within(other) && other.length() > e.length()) {
          depth++;
        }
      }
      int[] row = depth < layerTags.length ? layerTags[depth] : null;
      boolean free = row != null;
      for (int w = e.start(); free && w < e.end(); w++) {
        free = row[w] == 0;
      }
      if (!free) {
        skipped++; // too deep, or the same words already tagged at this depth
        continue;
      }
      boolean iobes = scheme.indexOf("S-" + e.type()) >= 0;
      if (iobes && e.length() == 1) {
        row[e.start()] = scheme.indexOf("S-" + e.type());
        continue;
      }
      row[e.start()] = scheme.indexOf("B-" + e.type());
      for (int w = e.start() + 1; w < e.end(); w++) {
        row[w] = scheme.indexOf((iobes && w == e.end() - 1 ? "E-" : "I-") + e.type());
      }
    }
    return skipped;
  }

  /** The entities of one text, from its word states. */
  public EntityResult decode(Words words, WordStates states) {
    if (states.size() != words.size()) {
      throw new IllegalArgumentException(words.size() + " words but " + states.size()
          + " states");
    }
    if (words.size() == 0) {
      return new EntityResult(words, List.of(), 1.0, states.tokens());
    }
    float[][] input = lexicon == null ? states.vectors()
        : concat(states.vectors(), lexicon.features(words.words()));
    List<float[][][]> memberLogits = new ArrayList<>(networks.size());
    for (TaggerNetwork network : networks) {
      memberLogits.add(network.logits(input));
    }
    Spans found = decodeSpans(scheme,
        TaggerNetwork.meanProbabilities(memberLogits, temperature));
    List<TagDecoder.Span> kept = new ArrayList<>(found.spans());
    double confidence = found.confidence();
    if (states.truncated()) {
      confidence = 0; // words past the model's max tokens were never read
    }
    kept.sort((a, b) -> a.start() != b.start() ? Integer.compare(a.start(), b.start())
        : Integer.compare(b.end(), a.end()));
    List<Entity> entities = new ArrayList<>(kept.size());
    for (TagDecoder.Span span : kept) {
      entities.add(Entity.of(words, span.type(), span.start(), span.end(), span.confidence()));
    }
    return new EntityResult(words, entities, confidence, states.tokens());
  }

  private static TagScheme scheme(EntityHeadSettings.Tagging tagging, List<String> types) {
    return tagging == EntityHeadSettings.Tagging.IOBES ? TagScheme.iobes(types)
        : TagScheme.bio(types);
  }

  private static boolean insideOne(TagDecoder.Span span, List<TagDecoder.Span> outer) {
    for (TagDecoder.Span o : outer) {
      if (o.start() <= span.start() && span.end() <= o.end()
          && o.end() - o.start() > span.end() - span.start()) {
        return true;
      }
    }
    return false;
  }

  /** The encoder bundle ({@code name@version}) whose word states this head reads. */
  public String modelId() {
    return modelId;
  }

  /** The encoder layers whose mean states this head reads. */
  public List<Integer> layers() {
    return layers;
  }

  public SubwordPooling pooling() {
    return pooling;
  }

  public int level() {
    return level;
  }

  /** How many taggers it averages. */
  public int ensemble() {
    return networks.size();
  }

  /** Whether its tagging layers are linear-chain CRFs rather than a softmax per word. */
  public boolean crf() {
    return networks.get(0).crf();
  }

  /** The tag scheme its taggers learned. */
  public EntityHeadSettings.Tagging tagging() {
    return tagging;
  }

  /** The entity types it tags, at its level. */
  public List<String> types() {
    return types;
  }

  public int nestingLayers() {
    return networks.get(0).tagCounts().length;
  }

  /**
   * The temperature that divides the taggers' logits: fitted on held-out training texts so that
   * tag probabilities, and the confidences made of them, match how often tags are right.
   */
  public double temperature() {
    return temperature;
  }

  /** How many texts it was trained on. */
  public int trainingTexts() {
    return trainingTexts;
  }

  /** Training entities left out: nested deeper than its layers, or overlapping at one depth. */
  public int skippedEntities() {
    return skippedEntities;
  }

  /** Whether this head reads the word states {@code encoder} produces. */
  public boolean fits(WordEncoder encoder) {
    return encoder.modelId().equals(modelId) && encoder.settings().layers().equals(layers)
        && encoder.settings().pooling() == pooling;
  }

  /** Writes the head to {@code file} (atomically: a temporary file, then a rename). */
  public void save(Path file) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      if (file.toAbsolutePath().getParent() != null) {
        Files.createDirectories(file.toAbsolutePath().getParent());
      }
      try (OutputStream out = Files.newOutputStream(tmp)) {
        write(out);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new InferenceException("Cannot save the entity head to " + file + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * Reads a head written by {@link #save}.
   *
   * @throws InferenceException naming the file and what is wrong with it
   */
  public static EntityHead load(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString());
    } catch (IOException e) {
      throw new InferenceException("Cannot read the entity head " + file + ": "
          + e.getMessage(), e);
    }
  }

  private void write(OutputStream stream) throws IOException {
    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(stream));
    ObjectNode header = Json.MAPPER.createObjectNode();
    header.put("model", modelId);
    header.putPOJO("layers", layers);
    header.put("pooling", pooling.id());
    header.put("level", level);
    header.put("tagging", tagging.id());
    header.putPOJO("types", types);
    TaggerNetwork first = networks.get(0);
    header.put("dimension", first.dimension());
    header.put("context", first.context());
    header.put("hidden", first.hidden());
    header.put("nestingLayers", first.tagCounts().length);
    header.put("ensemble", networks.size());
    header.put("crf", first.crf());
    header.put("temperature", temperature);
    header.put("trainingTexts", trainingTexts);
    header.put("skippedEntities", skippedEntities);
    if (lexicon != null) {
      header.putPOJO("lexicon", lexicon.state());
    }
    byte[] json = Json.MAPPER.writeValueAsBytes(header);
    out.writeInt(MAGIC);
    out.writeInt(FORMAT);
    out.writeInt(json.length);
    out.write(json);
    for (TaggerNetwork network : networks) {
      for (float[] values : network.parameters()) {
        out.writeInt(values.length);
        for (float v : values) {
          out.writeFloat(v);
        }
      }
    }
    out.flush();
  }

  private static EntityHead read(InputStream stream, String where) throws IOException {
    DataInputStream in = new DataInputStream(new BufferedInputStream(stream));
    if (in.readInt() != MAGIC) {
      throw new InferenceException(where + ": not an entity head (wrong magic number)");
    }
    int format = in.readInt();
    if (format != FORMAT) {
      throw new InferenceException(where + ": entity head format " + format + "; this release"
          + " reads format " + FORMAT);
    }
    byte[] json = new byte[in.readInt()];
    in.readFully(json);
    JsonNode h = Json.MAPPER.readTree(new String(json, StandardCharsets.UTF_8));
    List<Integer> layers = Json.MAPPER.convertValue(h.get("layers"),
        new TypeReference<List<Integer>>() {});
    List<String> types = Json.MAPPER.convertValue(h.get("types"),
        new TypeReference<List<String>>() {});
    // heads saved before IOBES existed were all BIO
    EntityHeadSettings.Tagging tagging;
    try {
      tagging = h.has("tagging") ? EntityHeadSettings.Tagging.of(h.get("tagging").asText())
          : EntityHeadSettings.Tagging.BIO;
    } catch (IllegalArgumentException e) {
      throw new InferenceException(where + ": " + e.getMessage(), e);
    }
    int nesting = h.get("nestingLayers").asInt();
    int tagCount = scheme(tagging, types).size();
    int[] counts = new int[nesting];
    Arrays.fill(counts, tagCount);
    boolean crf = h.path("crf").asBoolean(false);
    List<TaggerNetwork> networks = new ArrayList<>();
    for (int member = 0; member < h.get("ensemble").asInt(); member++) {
      List<float[]> parts = new ArrayList<>();
      for (int i = 0; i < (crf ? 7 : 6); i++) {
        float[] values = new float[in.readInt()];
        for (int j = 0; j < values.length; j++) {
          values[j] = in.readFloat();
        }
        parts.add(values);
      }
      try {
        networks.add(new TaggerNetwork(h.get("dimension").asInt(), h.get("context").asInt(),
            h.get("hidden").asInt(), counts, parts.get(0), parts.get(1), parts.get(2),
            parts.get(3), parts.get(4), parts.get(5), crf ? scheme(tagging, types) : null,
            crf ? parts.get(6) : null));
      } catch (IllegalArgumentException e) {
        throw new InferenceException(where + ": " + e.getMessage(), e);
      }
    }
    Lexicon lexicon = null;
    JsonNode saved = h.get("lexicon");
    if (saved != null) {
      try {
        lexicon = Lexicon.fromState(saved.get("layers").asInt(), saved.get("tags").asInt(),
            Json.MAPPER.convertValue(saved.get("words"),
                new TypeReference<Map<String, int[]>>() {}),
            Json.MAPPER.convertValue(saved.get("pairs"),
                new TypeReference<Map<String, int[]>>() {}));
      } catch (IllegalArgumentException e) {
        throw new InferenceException(where + ": " + e.getMessage(), e);
      }
    }
    return new EntityHead(h.get("model").asText(), layers,
        SubwordPooling.of(h.get("pooling").asText()), h.get("level").asInt(), tagging,
        Collections.unmodifiableList(types), networks, lexicon,
        h.has("temperature") ? h.get("temperature").asDouble() : 1.0,
        h.get("trainingTexts").asInt(),
        h.get("skippedEntities").asInt());
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "sluice-entity-head-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
