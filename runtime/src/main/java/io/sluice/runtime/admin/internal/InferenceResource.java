package io.sluice.runtime.admin.internal;

import io.sluice.inference.InferenceException;
import io.sluice.inference.Prediction;
import io.sluice.inference.TextClassifier;
import io.sluice.inference.TextEncoder;
import io.sluice.operators.extract.EntityModel;
import io.sluice.operators.extract.Extraction;
import io.sluice.operators.extract.ExtractionException;
import io.sluice.operators.extract.ModelFields;
import io.sluice.operators.extract.PatternExtractor;
import io.sluice.runtime.admin.AdminRequestException;
import io.sluice.runtime.admin.GatewayView;
import io.sluice.runtime.admin.JsonReplies;
import io.sluice.runtime.admin.JsonRequest;
import io.sluice.topology.spec.Pipeline;
import io.sluice.topology.spec.Step;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local inference API. {@code /v1/classify} goes through each pipeline's classifier
 * ({@link TextClassifier#classifyAsync}), so concurrent HTTP callers are batched together by its
 * dynamic batcher on the encoder the stream uses; {@code /v1/embed} runs that encoder on a worker
 * thread; {@code /v1/extract} applies the pipeline's extract step: patterns and gazetteers, and
 * the step's entity model (one batch call on a worker thread) where it names one.
 * Which pipeline or model: named in the body, or the only one there is.
 */
public final class InferenceResource {

  /** Most texts in one request. */
  public static final int MAX_TEXTS = 256;
  /** Longest text accepted, in characters. */
  public static final int MAX_CHARS = 20_000;

  private final Vertx vertx;
  private final GatewayView gateway;
  private final Map<String, PatternExtractor> extractors = new ConcurrentHashMap<>();

  public InferenceResource(Vertx vertx, GatewayView gateway) {
    this.vertx = vertx;
    this.gateway = gateway;
  }

  public void classify(RoutingContext ctx) {
    JsonRequest request = JsonRequest.of(ctx).onlyFields(Set.of("texts", "pipeline"));
    List<String> texts = request.texts("texts", MAX_TEXTS, MAX_CHARS);
    Map<String, TextClassifier> classifiers = gateway.classifiers();
    String pipeline = pick(request.optionalString("pipeline"), classifiers.keySet(), "pipeline",
        "a pipeline with a classify step");
    TextClassifier classifier = classifiers.get(pipeline);
    List<CompletableFuture<Prediction>> futures = texts.stream()
        .map(classifier::classifyAsync).toList();
    Context context = vertx.getOrCreateContext();
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).whenComplete((x, e) ->
        context.runOnContext(v -> {
      if (e != null) {
        fail(ctx, e);
        return;
      }
      List<Map<String, Object>> results = new ArrayList<>();
      for (CompletableFuture<Prediction> f : futures) {
        Prediction p = f.join();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("label", p.label());
        r.put("confidence", p.confidence());
        r.put("novelty", p.novelty());
        r.put("novel", p.novel());
        r.put("tokens", p.tokens());
        results.add(r);
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("pipeline", pipeline);
      body.put("model", classifier.encoder().modelId());
      body.put("version", classifier.encoder().bundle().manifest().version() + "+head."
          + classifier.head().map(h -> h.version()).orElse(0L));
      body.put("results", results);
      JsonReplies.ok(ctx, body);
    }));
  }

  public void embed(RoutingContext ctx) {
    JsonRequest request = JsonRequest.of(ctx).onlyFields(Set.of("texts", "model"));
    List<String> texts = request.texts("texts", MAX_TEXTS, MAX_CHARS);
    Map<String, TextEncoder> encoders = encoders();
    String model = pick(request.optionalString("model"), encoders.keySet(), "model",
        "a model that a classify step loaded");
    TextEncoder encoder = encoders.get(model);
    vertx.executeBlocking(() -> encoder.embed(texts), false).onComplete(done -> {
      if (done.failed()) {
        fail(ctx, done.cause());
        return;
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("model", model);
      body.put("bundle", encoder.modelId());
      body.put("dimension", encoder.dimension());
      body.put("embeddings", done.result());
      JsonReplies.ok(ctx, body);
    });
  }

  public void extract(RoutingContext ctx) {
    JsonRequest request = JsonRequest.of(ctx).onlyFields(Set.of("texts", "pipeline"));
    List<String> texts = request.texts("texts", MAX_TEXTS, MAX_CHARS);
    Map<String, Step.Extract> steps = extractSteps();
    String pipeline = pick(request.optionalString("pipeline"), steps.keySet(), "pipeline",
        "a pipeline with an extract step");
    PatternExtractor extractor = extractors.computeIfAbsent(pipeline,
        p -> extractorFor(steps.get(p)));
    List<Map<String, Object>> results = new ArrayList<>();
    for (String text : texts) {
      List<Map<String, Object>> fields = new ArrayList<>();
      boolean complete = true;
      try {
        for (Extraction e : extractor.extract(text)) {
          fields.add(field(e, "pattern"));
        }
      } catch (ExtractionException e) {
        complete = false;
      }
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("fields", fields);
      result.put("complete", complete);
      results.add(result);
    }
    EntityModel model = gateway.entityModels().get(pipeline);
    if (model == null) {
      JsonReplies.ok(ctx, Map.of("pipeline", pipeline, "results", results));
      return;
    }
    // The step's entity model: one batch call on a worker thread, never on the event loop.
    vertx.executeBlocking(() -> model.extract(texts), false).onComplete(done -> {
      if (done.failed()) {
        fail(ctx, done.cause());
        return;
      }
      for (int i = 0; i < texts.size(); i++) {
        ModelFields found = done.result().get(i);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> fields = (List<Map<String, Object>>) results.get(i)
            .get("fields");
        found.fields().forEach(e -> fields.add(field(e, "model")));
        results.get(i).put("extractionConfidence", found.confidence());
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("pipeline", pipeline);
      body.put("model", model.name() + "@" + model.version());
      body.put("results", results);
      JsonReplies.ok(ctx, body);
    });
  }

  private static Map<String, Object> field(Extraction e, String source) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("name", e.name());
    f.put("value", e.value());
    f.put("confidence", e.confidence());
    f.put("start", e.start());
    f.put("end", e.end());
    f.put("source", source);
    return f;
  }

  /** The encoder of every model some classify step loaded, by model name. */
  /** The encoders classify steps loaded, by model name. */
  public Map<String, TextEncoder> encoders() {
    Map<String, TextEncoder> out = new LinkedHashMap<>();
    Map<String, TextClassifier> classifiers = gateway.classifiers();
    ModelsResource.classifyingSteps(gateway.spec()).forEach((pipeline, step) -> {
      TextClassifier c = classifiers.get(pipeline);
      if (c != null) {
        out.putIfAbsent(step.model(), c.encoder());
      }
    });
    return out;
  }

  private Map<String, Step.Extract> extractSteps() {
    Map<String, Step.Extract> out = new LinkedHashMap<>();
    for (Pipeline p : gateway.spec().pipelines()) {
      p.steps().stream().filter(s -> s instanceof Step.Extract).findFirst()
          .ifPresent(s -> out.put(p.name(), (Step.Extract) s));
    }
    return out;
  }

  private static PatternExtractor extractorFor(Step.Extract step) {
    PatternExtractor.Builder builder = PatternExtractor.builder().builtIns(step.patterns());
    step.custom().forEach(builder::pattern);
    step.gazetteers().forEach(builder::gazetteer);
    return builder.build();
  }

  /** The named one, or the only one; errors list what there is. */
  private static String pick(Optional<String> named, Set<String> available, String field,
      String what) {
    if (available.isEmpty()) {
      throw new AdminRequestException(404, field, "this topology has no " + what
          + " (or its models are not loaded yet)", what);
    }
    if (named.isPresent()) {
      if (!available.contains(named.get())) {
        throw new AdminRequestException(404, field, "no " + field + " '" + named.get() + "'",
            "one of " + available);
      }
      return named.get();
    }
    if (available.size() > 1) {
      throw new AdminRequestException(400, field, "there are several; name one", "one of "
          + available);
    }
    return available.iterator().next();
  }

  private static void fail(RoutingContext ctx, Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null
        ? e.getCause() : e;
    if (cause instanceof InferenceException) {
      JsonReplies.error(ctx, 503, "the model could not answer: " + cause.getMessage(), null,
          null);
    } else {
      ctx.fail(cause);
    }
  }
}
