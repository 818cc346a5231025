package io.sluice.inference.generate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.sluice.inference.InferenceException;
import io.sluice.inference.SessionSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The engine behind a topology {@code generate} step: fills the prompt template from each record,
 * generates (batched, prefix-cached, constrained to the output shape), and parses the output into
 * fields. The parsed output is checked again by an independent validator (networknt for JSON
 * Schema, {@code java.util.regex} for patterns), so {@link Generation#schemaFailed()} is a real
 * check rather than a restatement of the constraint; with a feasible token budget it is always
 * false, and the router can send the rare failure, or a low {@link Generation#confidence()}, to
 * the cloud.
 *
 * <p>Three ways to produce the output. A label set is scored by {@link LabelScorer} (each label's
 * log-likelihood after the prompt; the records of one call share batched model calls). Otherwise
 * records go through a {@link GenerationEngine}'s continuous batching: the generator's own
 * ({@link #open}) or one shared with other steps and the HTTP API ({@link #on}). With a draft
 * model, records are decoded one at a time by speculative decoding on a single worker thread.
 *
 * <p>Prompt length. A prompt whose tokens plus {@code maxNewTokens} exceed the model's
 * {@code max_position_embeddings} is cut (the longest placeholder value is shortened, token by
 * token, until it fits; {@link Generation#truncated()} says so) or refused with
 * {@link PromptTooLongException}, as {@link GenerateSpec#tooLong()} says. A deadline fails a
 * record's generation with {@link FinishReason#DEADLINE}; the engine then drops the sequence.
 */
public final class Generator implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern GROUP_NAME = Pattern.compile("\\(\\?<([A-Za-z][A-Za-z0-9]*)>");
  /** Tokens kept free beside the budget, since a cut value may tokenize a little longer. */
  private static final int CUT_MARGIN = 2;

  private final GenerateSpec spec;
  private final CausalLm lm;
  private final CausalLm draftLm;
  private final GenerationEngine engine;
  private final boolean ownsEngine;
  private final SpeculativeDecoder speculative;
  private final ExecutorService speculativeWorker;
  private final LabelScorer labelScorer;
  private final JsonSchema validator;
  private final Pattern pattern;
  private final List<String> groupNames;

  private Generator(GenerateSpec spec, CausalLm lm, CausalLm draftLm, GenerationEngine engine,
      boolean ownsEngine) {
    this.spec = spec;
    this.lm = lm;
    this.draftLm = draftLm;
    this.engine = engine;
    this.ownsEngine = ownsEngine;
    this.speculative = draftLm == null ? null
        : new SpeculativeDecoder(lm, draftLm, spec.lookahead(), engine.prefixCache());
    this.speculativeWorker = draftLm == null ? null
        : Executors.newSingleThreadExecutor(r -> {
          Thread t = new Thread(r, "sluice-speculate-" + spec.prompt().id());
          t.setDaemon(true);
          return t;
        });
    this.labelScorer = spec.labels().isEmpty() ? null
        : new LabelScorer(lm, spec.prompt(), spec.labels(), " ", Calibration.none(),
            engine.prefixCache(), 64);
    OutputConstraint output = spec.output().orElse(null);
    this.validator = output == null ? null : output.schema()
        .map(s -> JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(s))
        .orElse(null);
    this.pattern = output != null && output.kind() == OutputConstraint.Kind.REGEX
        ? Pattern.compile(output.source()) : null;
    List<String> names = new ArrayList<>();
    if (pattern != null) {
      Matcher m = GROUP_NAME.matcher(output.source());
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    this.groupNames = List.copyOf(names);
  }

  /** Opens the model (and draft) of {@code spec}, with an engine of its own. */
  public static Generator open(GenerateSpec spec, SessionSettings session, EngineSettings settings) {
    CausalLm lm = CausalLm.open(spec.bundle(),
        new DecoderOptions(spec.modelFile(), session, Optional.empty()));
    CausalLm draft = null;
    try {
      if (spec.draft().isPresent()) {
        draft = CausalLm.open(spec.draft().get(),
            new DecoderOptions(spec.modelFile(), session, Optional.empty()));
      }
      return new Generator(spec, lm, draft, new GenerationEngine(lm, settings), true);
    } catch (RuntimeException e) {
      lm.close();
      if (draft != null) {
        draft.close();
      }
      throw e;
    }
  }

  /**
   * A generator over a shared engine and its model ({@code spec.bundle()} and
   * {@code spec.modelFile()} are not read). Closing it closes neither.
   *
   * @throws IllegalArgumentException when the spec names a draft model (speculation runs one
   *     request at a time and would bypass the shared batcher)
   */
  public static Generator on(GenerationEngine engine, GenerateSpec spec) {
    if (spec.draft().isPresent()) {
      throw new IllegalArgumentException("generate '" + spec.prompt().id() + "': a draft model"
          + " needs a generator of its own (Generator.open)");
    }
    return new Generator(spec, engine.model(), null, engine, false);
  }

  public GenerateSpec spec() {
    return spec;
  }

  public CausalLm model() {
    return lm;
  }

  public GenerationEngine.Stats stats() {
    return engine.stats();
  }

  /** The prompt a record renders to, before any cut: what {@code countTokens} is asked about. */
  public String render(Map<String, String> record) {
    return spec.prompt().render(record);
  }

  /** Generates for one record; completes when its output is ready. */
  public CompletableFuture<Generation> submit(Map<String, String> record) {
    Prepared prepared;
    try {
      prepared = prepare(record);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (labelScorer != null) {
      return CompletableFuture.completedFuture(label(prepared, labelScorer.score(
          List.of(prepared.record())).get(0)));
    }
    return generate(prepared);
  }

  /**
   * Generates for every record (batched together) and waits; a record that fails (a prompt too
   * long to run, a model error) has its failure in place of a result.
   */
  public List<Outcome> generateAll(List<Map<String, String>> records) {
    List<Prepared> prepared = new ArrayList<>(records.size());
    List<Outcome> out = new ArrayList<>(records.size());
    for (Map<String, String> record : records) {
      try {
        prepared.add(prepare(record));
        out.add(null);
      } catch (RuntimeException e) {
        prepared.add(null);
        out.add(new Outcome(null, e));
      }
    }
    if (labelScorer != null) {
      List<Map<String, String>> ready = new ArrayList<>();
      for (Prepared p : prepared) {
        if (p != null) {
          ready.add(p.record());
        }
      }
      List<LabelScores> scores;
      try {
        scores = ready.isEmpty() ? List.of() : labelScorer.score(ready);
      } catch (RuntimeException e) {
        for (int i = 0; i < out.size(); i++) {
          if (out.get(i) == null) {
            out.set(i, new Outcome(null, e));
          }
        }
        return out;
      }
      int next = 0;
      for (int i = 0; i < prepared.size(); i++) {
        if (prepared.get(i) != null) {
          out.set(i, new Outcome(label(prepared.get(i), scores.get(next++)), null));
        }
      }
      return out;
    }
    List<CompletableFuture<Generation>> futures = new ArrayList<>();
    for (Prepared p : prepared) {
      futures.add(p == null ? null : generate(p));
    }
    for (int i = 0; i < futures.size(); i++) {
      if (futures.get(i) != null) {
        try {
          out.set(i, new Outcome(futures.get(i).join(), null));
        } catch (java.util.concurrent.CompletionException e) {
          out.set(i, new Outcome(null, e.getCause() instanceof RuntimeException r ? r : e));
        }
      }
    }
    return out;
  }

  /** One record's result, or why it has none. */
  public record Outcome(Generation generation, RuntimeException failure) {

    public boolean succeeded() {
      return generation != null;
    }
  }

  /** Generates for every record (batched together) and waits; the first failure is thrown. */
  public List<Generation> generate(List<Map<String, String>> records) {
    List<Generation> out = new ArrayList<>();
    for (Outcome o : generateAll(records)) {
      if (o.failure() != null) {
        throw o.failure();
      }
      out.add(o.generation());
    }
    return out;
  }

  private CompletableFuture<Generation> generate(Prepared prepared) {
    GenerationRequest.Builder builder = GenerationRequest.builder(prepared.rest())
        .id(spec.prompt().id())
        .prefix(prepared.prefix())
        .maxNewTokens(spec.maxNewTokens())
        .sampling(spec.sampling())
        .stopStrings(spec.output().isPresent() ? List.of() : spec.stopStrings());
    spec.output().ifPresent(builder::constraint);
    GenerationRequest request = builder.build();
    CompletableFuture<GenerationResult> result = speculative == null
        ? engine.submit(request)
        : CompletableFuture.supplyAsync(() -> speculative.generate(request), speculativeWorker);
    if (spec.deadline().isPresent()) {
      // Completing the engine's own future is what tells the batcher to drop the sequence.
      result.orTimeout(spec.deadline().get().toMillis(), TimeUnit.MILLISECONDS);
    }
    return result.handle((r, e) -> {
      Throwable cause = e instanceof java.util.concurrent.CompletionException c && c.getCause()
          != null ? c.getCause() : e;
      if (cause instanceof TimeoutException) {
        return new Generation(spec.prompt().id(), spec.prompt().version(),
            MissingNode.getInstance(), "", 0, false,
            Optional.of("no output within the deadline of " + spec.deadline().get()),
            new int[0], FinishReason.DEADLINE, Optional.empty(), prepared.tokens(),
            prepared.truncated());
      }
      if (cause != null) {
        throw cause instanceof RuntimeException re ? re
            : new InferenceException("generation failed: " + cause, cause);
      }
      return toGeneration(r, prepared.tokens(), prepared.truncated());
    });
  }

  private Generation label(Prepared prepared, LabelScores scores) {
    ObjectNode fields = JSON.createObjectNode().put("label", scores.label());
    return new Generation(spec.prompt().id(), spec.prompt().version(), fields, scores.label(),
        scores.confidence(), false, Optional.empty(), new int[0], FinishReason.EOS,
        Optional.empty(), prepared.tokens(), prepared.truncated());
  }

  /** A record's prompt as token ids, cut to fit when the spec allows. */
  private record Prepared(Map<String, String> record, int[] prefix, int[] rest,
      boolean truncated) {
    int tokens() {
      return prefix.length + rest.length;
    }
  }

  private Prepared prepare(Map<String, String> record) {
    PromptTemplate.Tokens tokens = spec.prompt().tokens(lm.tokenizer(), record);
    int limit = promptLimit();
    int length = tokens.prefix().length + tokens.rest().length;
    if (limit <= 0 || length <= limit) {
      return new Prepared(record, tokens.prefix(), tokens.rest(), false);
    }
    String longest = null;
    for (String field : spec.prompt().fields()) {
      String value = record.get(field);
      if (value != null && (longest == null || value.length() > record.get(longest).length())) {
        longest = field;
      }
    }
    if (spec.tooLong() == GenerateSpec.TooLong.TRUNCATE && longest != null) {
      int[] valueIds = lm.tokenizer().encode(record.get(longest));
      int keep = valueIds.length - (length - limit) - CUT_MARGIN;
      while (keep > 0) {
        Map<String, String> cut = new LinkedHashMap<>(record);
        cut.put(longest, lm.tokenizer().decode(java.util.Arrays.copyOf(valueIds, keep)));
        PromptTemplate.Tokens again = spec.prompt().tokens(lm.tokenizer(), cut);
        int now = again.prefix().length + again.rest().length;
        if (now <= limit) {
          return new Prepared(cut, again.prefix(), again.rest(), true);
        }
        keep -= Math.max(1, now - limit);
      }
    }
    throw new PromptTooLongException("prompt '" + spec.prompt().id() + "' v"
        + spec.prompt().version() + " is " + length + " tokens; model " + lm.name() + " takes "
        + lm.config().maxPositions() + " positions, so with maxNewTokens " + spec.maxNewTokens()
        + " at most " + limit + " fit" + (spec.tooLong() == GenerateSpec.TooLong.TRUNCATE
        ? " even with its fields cut" : ""), length, limit);
  }

  /** The most prompt tokens that fit beside {@code maxNewTokens}; 0 when the model sets none. */
  private int promptLimit() {
    int positions = lm.config().maxPositions();
    return positions <= 0 ? 0 : Math.max(1, positions - spec.maxNewTokens());
  }

  /** Parses and independently validates one result (package-private for tests). */
  Generation toGeneration(GenerationResult result) {
    return toGeneration(result, result.promptTokens(), false);
  }

  private Generation toGeneration(GenerationResult result, int promptTokens, boolean truncated) {
    String text = result.text();
    JsonNode fields = MissingNode.getInstance();
    String failure = null;
    if (validator != null) {
      try {
        fields = JSON.readTree(text);
        Set<ValidationMessage> errors = validator.validate(fields);
        if (!errors.isEmpty()) {
          failure = "output fails the schema: " + errors.stream().map(ValidationMessage::getMessage)
              .collect(Collectors.joining("; "));
        }
      } catch (JsonProcessingException e) {
        failure = "output is not JSON: " + e.getOriginalMessage();
        fields = MissingNode.getInstance();
      }
    } else if (pattern != null) {
      Matcher m = pattern.matcher(text);
      if (m.matches()) {
        ObjectNode groups = JSON.createObjectNode();
        for (String name : groupNames) {
          if (m.group(name) != null) {
            groups.put(name, m.group(name));
          }
        }
        fields = groups;
      } else {
        failure = "output does not match /" + pattern.pattern() + "/";
      }
    }
    return new Generation(spec.prompt().id(), spec.prompt().version(), fields, text,
        result.confidence(), failure != null, Optional.ofNullable(failure), result.tokenIds(),
        result.finishReason(), result.speculation(), promptTokens, truncated);
  }

  /** Stops the engine and closes the model (and draft), when this generator opened them. */
  @Override
  public void close() {
    if (speculativeWorker != null) {
      speculativeWorker.shutdownNow();
    }
    if (!ownsEngine) {
      return;
    }
    engine.close();
    try {
      lm.close();
    } finally {
      if (draftLm != null) {
        draftLm.close();
      }
    }
  }

  @Override
  public String toString() {
    return "Generator[" + spec.prompt().id() + " v" + spec.prompt().version() + " on "
        + lm.name() + "]";
  }
}
