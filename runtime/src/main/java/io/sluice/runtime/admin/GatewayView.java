package io.sluice.runtime.admin;

import io.sluice.inference.BundleVerification;
import io.sluice.inference.TextClassifier;
import io.sluice.operators.extract.EntityModel;
import io.sluice.runtime.Health;
import io.sluice.runtime.Models;
import io.sluice.runtime.TopologyRuntime;
import io.sluice.runtime.rollout.RolloutModel;
import io.sluice.runtime.rollout.RolloutPolicy;
import io.sluice.topology.spec.Model;
import io.sluice.topology.spec.Pipeline;
import io.sluice.topology.spec.Step;
import io.sluice.topology.spec.TopologySpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the admin server reads of a running gateway or cloud: the spec, health, how each model's
 * bundle was trusted, and the classifier of each pipeline (whose dynamic batcher the HTTP API
 * shares with nothing else, and whose encoder the stream shares). {@link #of(TopologyRuntime)}
 * is the real one.
 */
public interface GatewayView {

  /** The name a cloud topology's resolve step goes by in {@link #classifiers()}. */
  String RESOLVE = "resolve";

  TopologySpec spec();

  Health health();

  /** How each model's bundle earned trust, by the model's name in the topology. */
  Map<String, BundleVerification> bundles();

  /** The classifier of each pipeline that classifies, by pipeline name. */
  Map<String, TextClassifier> classifiers();

  /**
   * The decoder engines generate steps opened, by model name: what the OpenAI-compatible API
   * serves, sharing each continuous batcher with the topology.
   */
  default Map<String, io.sluice.inference.generate.GenerationEngine> decoders() {
    return Map.of();
  }

  /** The rollout slot of each pipeline that classifies, by pipeline name. */
  default Map<String, RolloutModel> slots() {
    return Map.of();
  }

  /**
   * A view of models held by the caller, for serving them without a running topology (the
   * admin benchmark, tests).
   */
  static GatewayView of(TopologySpec spec, Supplier<Health> health,
      Map<String, BundleVerification> bundles, Map<String, TextClassifier> classifiers) {
    return new GatewayView() {
      @Override
      public TopologySpec spec() {
        return spec;
      }

      @Override
      public Health health() {
        return health.get();
      }

      @Override
      public Map<String, BundleVerification> bundles() {
        return Map.copyOf(bundles);
      }

      @Override
      public Map<String, TextClassifier> classifiers() {
        return Map.copyOf(classifiers);
      }
    };
  }

  /** The entity model of each pipeline whose extract step names one, by pipeline name. */
  default Map<String, EntityModel> entityModels() {
    return Map.of();
  }

  /**
   * Starts a rollout of {@code bundle} to the model the topology names {@code model}: trains a
   * candidate (seconds) and shadows it on live traffic; returns the slots that took it. Blocks:
   * call it off the event loop. Throws {@link AdminRequestException} (503) where the view has no
   * models that can roll out, and what {@link Models#rollout} throws otherwise.
   */
  default List<RolloutModel> rollout(String model, String bundle, RolloutPolicy policy) {
    throw new AdminRequestException(503, null, "this gateway serves no models that can roll out",
        null);
  }

  /** The queue of records routed to review; empty until the topology runs. */
  default Optional<io.sluice.runtime.review.ReviewQueue> review() {
    return Optional.empty();
  }

  /** A running topology seen through this interface. */
  static GatewayView of(TopologyRuntime runtime) {
    return of(runtime::spec, runtime::health, runtime::models, runtime::review);
  }

  /** A view without a review queue. */
  static GatewayView of(Supplier<TopologySpec> spec, Supplier<Health> health,
      Supplier<Optional<Models>> models) {
    return of(spec, health, models, Optional::empty);
  }

  /**
   * A view of a topology whose models are {@code models} (empty until they are loaded): the slot
   * of every classify step, their serving classifiers, and rollouts through them.
   */
  static GatewayView of(Supplier<TopologySpec> spec, Supplier<Health> health,
      Supplier<Optional<Models>> models,
      Supplier<Optional<io.sluice.runtime.review.ReviewQueue>> review) {
    return new GatewayView() {
      @Override
      public Optional<io.sluice.runtime.review.ReviewQueue> review() {
        return review.get();
      }

      @Override
      public TopologySpec spec() {
        return spec.get();
      }

      @Override
      public Health health() {
        return health.get();
      }

      @Override
      public Map<String, BundleVerification> bundles() {
        return models.get().map(Models::verifications).orElse(Map.of());
      }

      @Override
      public Map<String, io.sluice.inference.generate.GenerationEngine> decoders() {
        return models.get().map(m -> m.decoders().engines()).orElse(Map.of());
      }

      @Override
      public Map<String, TextClassifier> classifiers() {
        Map<String, TextClassifier> out = new LinkedHashMap<>();
        slots().forEach((pipeline, slot) -> {
          if (slot.serving() instanceof Models.ClassifierModel m) {
            out.put(pipeline, m.classifier());
          }
        });
        return out;
      }

      @Override
      public Map<String, RolloutModel> slots() {
        Map<String, RolloutModel> out = new LinkedHashMap<>();
        Optional<Models> loaded = models.get();
        if (loaded.isEmpty()) {
          return out;
        }
        TopologySpec topology = spec.get();
        for (Pipeline p : topology.pipelines()) {
          for (Step step : p.steps()) {
            if (step instanceof Step.Classify c) {
              loaded.get().forStep(c).ifPresent(slot -> out.put(p.name(), slot));
            }
          }
        }
        topology.resolve().flatMap(r -> loaded.get().forStep(r.classify()))
            .ifPresent(slot -> out.put(RESOLVE, slot));
        return out;
      }

      @Override
      public Map<String, EntityModel> entityModels() {
        Map<String, EntityModel> out = new LinkedHashMap<>();
        models.get().ifPresent(loaded -> {
          for (Pipeline p : spec.get().pipelines()) {
            for (Step step : p.steps()) {
              if (step instanceof Step.Extract e) {
                loaded.forStep(e).ifPresent(m -> out.putIfAbsent(p.name(), m));
              }
            }
          }
        });
        return out;
      }

      @Override
      public List<RolloutModel> rollout(String model, String bundle, RolloutPolicy policy) {
        Models loaded = models.get().orElseThrow(() -> new AdminRequestException(503, null,
            "the models are not loaded yet", "retry once /health is UP"));
        Model declared = spec.get().models().get(model);
        if (declared == null) {
          throw new AdminRequestException(404, "name", "no model '" + model + "'",
              "one of " + spec.get().models().keySet());
        }
        return loaded.rollout(model, declared, bundle, policy);
      }
    };
  }
}
