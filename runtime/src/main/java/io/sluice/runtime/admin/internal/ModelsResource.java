package io.sluice.runtime.admin.internal;

import io.sluice.inference.BundleVerification;
import io.sluice.inference.HeadInfo;
import io.sluice.inference.TextClassifier;
import io.sluice.operators.extract.EntityModel;
import io.sluice.runtime.admin.GatewayView;
import io.sluice.runtime.rollout.RolloutEvent;
import io.sluice.runtime.rollout.RolloutModel;
import io.sluice.runtime.rollout.RolloutState;
import io.sluice.topology.spec.Model;
import io.sluice.topology.spec.Pipeline;
import io.sluice.topology.spec.Step;
import io.sluice.topology.spec.TopologySpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /models}: each declared model with its bundle (id, version, digest, how it was
 * trusted and by whom), the heads trained on it (one per classify step: version, kind, labels),
 * the extract steps it serves (pipeline, model type, serving version) and its rollout state:
 * {@code IDLE}, {@code SHADOW} (a candidate runs beside the serving model), {@code PROMOTED} or
 * {@code ROLLED_BACK}, with the serving and candidate versions and the history of decisions.
 */
public final class ModelsResource {

  private ModelsResource() {}

  public static Map<String, Object> body(GatewayView gateway) {
    TopologySpec spec = gateway.spec();
    Map<String, BundleVerification> bundles = gateway.bundles();
    Map<String, TextClassifier> classifiers = gateway.classifiers();
    Map<String, EntityModel> entityModels = gateway.entityModels();
    List<Map<String, Object>> models = new ArrayList<>();
    for (Model model : spec.models().values()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", model.name());
      m.put("reference", model.bundle());
      BundleVerification v = bundles.get(model.name());
      m.put("loaded", v != null);
      m.put("bundle", v == null ? null : v.bundleId());
      m.put("version", v == null ? null : v.bundleId().substring(v.bundleId().indexOf('@') + 1));
      m.put("digest", v == null ? null : v.digest());
      m.put("trust", v == null ? null : v.trust().name());
      m.put("signer", v == null ? null : v.signerId());
      m.put("pinned", model.digest().isPresent());
      List<Map<String, Object>> heads = new ArrayList<>();
      classifyingSteps(spec).forEach((pipeline, step) -> {
        TextClassifier classifier = classifiers.get(pipeline);
        if (!step.model().equals(model.name()) || classifier == null) {
          return;
        }
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("pipeline", pipeline);
        HeadInfo head = classifier.head().orElse(null);
        h.put("headVersion", head == null ? 0 : head.version());
        h.put("servingVersion", m.get("version") + "+head." + (head == null ? 0 : head.version()));
        h.put("kind", head == null ? null : head.kind().id());
        h.put("labels", head == null ? List.of() : head.labels());
        h.put("examples", head == null ? 0 : head.examples());
        heads.add(h);
      });
      m.put("heads", heads);
      m.put("extracts", extracts(spec, model.name(), entityModels));
      Map<String, Object> rollout = new LinkedHashMap<>();
      RolloutModel slot = slotOf(gateway, model.name());
      rollout.put("state", slot == null ? RolloutState.IDLE.name() : slot.state().name());
      rollout.put("serving", slot == null ? m.get("version") : slot.version());
      rollout.put("candidate", slot == null ? null
          : slot.candidate().map(c -> c.name() + "@" + c.version()).orElse(null));
      List<Map<String, Object>> history = new ArrayList<>();
      if (slot != null) {
        for (RolloutEvent e : slot.history()) {
          Map<String, Object> event = new LinkedHashMap<>();
          event.put("at", e.at().toString());
          event.put("state", e.state().name());
          event.put("serving", e.serving());
          event.put("candidate", e.candidate());
          event.put("reason", e.reason());
          history.add(event);
        }
      }
      rollout.put("history", history);
      m.put("rollout", rollout);
      models.add(m);
    }
    return Map.of("models", models);
  }

  /**
   * The extract steps that name {@code model}, each with the version serving it: the entity
   * model of its pipeline, which is that of the pipeline's first extract step naming a model.
   */
  private static List<Map<String, Object>> extracts(TopologySpec spec, String model,
      Map<String, EntityModel> entityModels) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Pipeline p : spec.pipelines()) {
      boolean first = true;
      for (Step step : p.steps()) {
        if (!(step instanceof Step.Extract e) || e.model() == null) {
          continue;
        }
        if (e.model().equals(model)) {
          EntityModel serving = first ? entityModels.get(p.name()) : null;
          Map<String, Object> x = new LinkedHashMap<>();
          x.put("pipeline", p.name());
          x.put("modelType", e.modelType());
          x.put("servingVersion", serving == null ? null : serving.version());
          out.add(x);
        }
        first = false;
      }
    }
    return out;
  }

  private static RolloutModel slotOf(GatewayView gateway, String model) {
    return gateway.slots().values().stream().filter(s -> s.topologyName().equals(model))
        .findFirst().orElse(null);
  }

  /** The classify step of each pipeline that has one, and the cloud's resolve step. */
  static Map<String, Step.Classify> classifyingSteps(TopologySpec spec) {
    Map<String, Step.Classify> out = new LinkedHashMap<>();
    for (Pipeline p : spec.pipelines()) {
      p.steps().stream().filter(s -> s instanceof Step.Classify).findFirst()
          .ifPresent(s -> out.put(p.name(), (Step.Classify) s));
    }
    spec.resolve().ifPresent(r -> out.put(GatewayView.RESOLVE, r.classify()));
    return out;
  }
}
