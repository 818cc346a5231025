package io.sluice.topology.step;

import static io.sluice.topology.internal.FormatTypes.line;
import static io.sluice.topology.internal.schema.Scalars.duration;
import static io.sluice.topology.internal.schema.Scalars.number;
import static io.sluice.topology.internal.schema.Scalars.oneOf;

import io.sluice.operators.anomaly.AnomalyConfig;
import io.sluice.operators.anomaly.AnomalyOperator;
import io.sluice.operators.anomaly.DetectionMethod;
import io.sluice.operators.anomaly.DetectorSettings;
import io.sluice.topology.internal.schema.ObjectType;
import io.sluice.topology.spec.Step;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.streams.Topology;

/** The window step: an anomaly score per reading and a summary per window, per device and metric. */
final class WindowKind implements StepKind<Step.Window> {

  static final ObjectType<Step.Window> SHAPE = ObjectType.builder("WindowStep",
          "Per device and metric: an anomaly score for every reading, and a summary of the"
              + " normal readings per window (count, min, max, mean, std).")
      .optional("size", duration(), Duration.ofMinutes(1), "1m", "Tumbling window length.")
      .optional("method", oneOf("combined", "robust", "seasonal", "change"), "combined",
          "combined", "Detector method; see docs/anomaly.md.")
      .optional("threshold", number(0, 1), null, "detector default",
          "Score above which a reading is flagged as an anomaly.")
      .build(v -> new Step.Window(v.get("size"), v.get("method"), v.get("threshold"), line(v)));

  @Override
  public String name() {
    return "window";
  }

  @Override
  public Class<Step.Window> stepType() {
    return Step.Window.class;
  }

  @Override
  public ObjectType<Step.Window> shape() {
    return SHAPE;
  }

  @Override
  public boolean readsText() {
    return false;
  }

  @Override
  public Optional<StepOperator> operator(Step.Window step, StepContext context) {
    AnomalyConfig config = config(step, context.pipeline().name());
    return Optional.of(new StepOperator() {
      @Override
      public void addTo(Topology topology, String name, String parent) {
        AnomalyOperator.addTo(topology, name, config, context.registry(), parent);
      }

      @Override
      public String forwardsTo(String name) {
        return AnomalyOperator.scoresNode(name);
      }

      @Override
      public String summariesFrom(String name) {
        return AnomalyOperator.summariesNode(name);
      }
    });
  }

  private static AnomalyConfig config(Step.Window w, String pipeline) {
    DetectionMethod method = switch (w.method()) {
      case "robust" -> DetectionMethod.ROBUST_LEVEL;
      case "seasonal" -> DetectionMethod.SEASONAL;
      case "change" -> DetectionMethod.CHANGE;
      default -> DetectionMethod.COMBINED;
    };
    DetectorSettings detector = DetectorSettings.defaults().withMethod(method);
    if (w.threshold() != null) {
      detector = detector.withThreshold(w.threshold());
    }
    return new AnomalyConfig(w.size(), detector, "anomaly-state-" + pipeline);
  }
}
