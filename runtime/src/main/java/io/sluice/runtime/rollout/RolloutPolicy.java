package io.sluice.runtime.rollout;

import io.sluice.topology.spec.Model;
import java.util.ArrayList;
import java.util.List;

/**
 * When a candidate model is promoted or rolled back, decided after it has shadowed the serving
 * model on {@code shadowRecords} live records.
 *
 * @param shadowRecords how many records the candidate must see before a decision
 * @param maxLatencyRatio the candidate's p95 time per batch may be at most this multiple of the
 *     serving model's, measured on the same batches
 * @param maxErrorRate share of shadow batches the candidate may fail
 * @param minAgreement share of records on which both must give the same label
 * @param maxConfidenceDrift largest allowed difference of mean confidence
 */
public record RolloutPolicy(int shadowRecords, double maxLatencyRatio, double maxErrorRate,
    double minAgreement, double maxConfidenceDrift) {

  public RolloutPolicy {
    List<String> problems = new ArrayList<>();
    if (shadowRecords < 1) {
      problems.add("shadowRecords must be at least 1, got " + shadowRecords);
    }
    if (!(maxLatencyRatio > 0)) {
      problems.add("maxLatencyRatio must be positive, got " + maxLatencyRatio);
    }
    if (maxErrorRate < 0 || maxErrorRate > 1) {
      problems.add("maxErrorRate must be in [0, 1], got " + maxErrorRate);
    }
    if (minAgreement < 0 || minAgreement > 1) {
      problems.add("minAgreement must be in [0, 1], got " + minAgreement);
    }
    if (maxConfidenceDrift < 0 || maxConfidenceDrift > 1) {
      problems.add("maxConfidenceDrift must be in [0, 1], got " + maxConfidenceDrift);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid rollout policy: " + String.join("; ", problems));
    }
  }

  /** 500 records; at most 1.5x slower at p95, 1% failed batches, 80% agreement, 0.15 drift. */
  public static RolloutPolicy defaults() {
    return of(Model.Rollout.DEFAULT);
  }

  /** The bounds a topology file declares for a model ({@code models.<name>.rollout}). */
  public static RolloutPolicy of(Model.Rollout bounds) {
    return new RolloutPolicy(bounds.shadowRecords(), bounds.maxLatencyRatio(),
        bounds.maxErrorRate(), bounds.minAgreement(), bounds.maxConfidenceDrift());
  }
}
