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
import io.sluice.inference.SessionSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * <p>With a draft model, records are decoded one at a time by speculative decoding on a single
 * worker thread; otherwise they go through a {@link GenerationEngine}'s continuous batching.
 */
public final class Generator implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern GROUP_NAME = Pattern.compile("\\(\\?<([A-Za-z][A-Za-z0-9]*)>");

  private final GenerateSpec spec;
  private final CausalLm lm;
  private final CausalLm draftLm;
  private final GenerationEngine engine;
  private final SpeculativeDecoder speculative;
  private final ExecutorService speculativeWorker;
  private final JsonSchema validator;
  private final Pattern pattern;
  private final List<String> groupNames;

  private Generator(GenerateSpec spec, CausalLm lm, CausalLm draftLm, EngineSettings settings) {
    this.spec = spec;
    this.lm = lm;
    this.draftLm = draftLm;
    this.engine = new GenerationEngine(lm, settings);
    this.speculative = draftLm == null ? null
        : new SpeculativeDecoder(lm, draftLm, spec.lookahead(), engine.prefixCache());
    this.speculativeWorker = draftLm == null ? null
        : Executors.newSingleThreadExecutor(r -> {
          Thread t = new Thread(r, "sluice-speculate-" + spec.prompt().id());
          t.setDaemon(true);
          return t;
        });
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

  /** Opens the model (and draft) of {@code spec}. */
  public static Generator open(GenerateSpec spec, SessionSettings session, EngineSettings settings) {
    CausalLm lm = CausalLm.open(spec.bundle(),
        new DecoderOptions(spec.modelFile(), session, Optional.empty()));
    CausalLm draft = null;
    try {
      if (spec.draft().isPresent()) {
        draft = CausalLm.open(spec.draft().get(),
            new DecoderOptions(spec.modelFile(), session, Optional.empty()));
      }
      return new Generator(spec, lm, draft, settings);
    } catch (RuntimeException e) {
      lm.close();
      if (draft != null) {
        draft.close();
      }
      throw e;
    }
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

  /** Generates for one record; completes when its output is ready. */
  public CompletableFuture<Generation> submit(Map<String, String> record) {
    GenerationRequest request;
    try {
      request = request(record);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<GenerationResult> result = speculative == null
        ? engine.submit(request)
        : CompletableFuture.supplyAsync(() -> speculative.generate(request), speculativeWorker);
    return result.thenApply(this::toGeneration);
  }

  /** Generates for every record (batched together) and waits. */
  public List<Generation> generate(List<Map<String, String>> records) {
    List<CompletableFuture<Generation>> futures = new ArrayList<>();
    records.forEach(r -> futures.add(submit(r)));
    List<Generation> out = new ArrayList<>();
    for (CompletableFuture<Generation> f : futures) {
      try {
        out.add(f.join());
      } catch (java.util.concurrent.CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
    return out;
  }

  private GenerationRequest request(Map<String, String> record) {
    PromptTemplate.Tokens tokens = spec.prompt().tokens(lm.tokenizer(), record);
    GenerationRequest.Builder builder = GenerationRequest.builder(tokens.rest())
        .id(spec.prompt().id())
        .prefix(tokens.prefix())
        .maxNewTokens(spec.maxNewTokens())
        .sampling(spec.sampling())
        .stopStrings(spec.output().isPresent() ? List.of() : spec.stopStrings());
    spec.output().ifPresent(builder::constraint);
    return builder.build();
  }

  /** Parses and independently validates one result (package-private for tests). */
  Generation toGeneration(GenerationResult result) {
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
        result.finishReason(), result.speculation());
  }

  /** Stops the engine and closes the model (and draft). */
  @Override
  public void close() {
    engine.close();
    if (speculativeWorker != null) {
      speculativeWorker.shutdownNow();
    }
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
