package io.sluice.app.admin;

import io.sluice.app.rollout.RolloutModel;
import io.sluice.app.runtime.Health;
import io.sluice.app.runtime.Models;
import io.sluice.app.runtime.TopologyRuntime;
import io.sluice.inference.BundleVerification;
import io.sluice.inference.TextClassifier;
import io.sluice.topology.spec.Pipeline;
import io.sluice.topology.spec.Step;
import io.sluice.topology.spec.TopologySpec;
import java.util.LinkedHashMap;
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

  /** A running topology seen through this interface. */
  static GatewayView of(TopologyRuntime runtime) {
    return new GatewayView() {
      @Override
      public TopologySpec spec() {
        return runtime.spec();
      }

      @Override
      public Health health() {
        return runtime.health();
      }

      @Override
      public Map<String, BundleVerification> bundles() {
        return runtime.models().map(Models::verifications).orElse(Map.of());
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
        Optional<Models> models = runtime.models();
        if (models.isEmpty()) {
          return out;
        }
        for (Pipeline p : runtime.spec().pipelines()) {
          for (Step step : p.steps()) {
            if (step instanceof Step.Classify c) {
              models.get().forStep(c).ifPresent(slot -> out.put(p.name(), slot));
            }
          }
        }
        runtime.spec().resolve().flatMap(r -> models.get().forStep(r.classify()))
            .ifPresent(slot -> out.put(RESOLVE, slot));
        return out;
      }
    };
  }
}
