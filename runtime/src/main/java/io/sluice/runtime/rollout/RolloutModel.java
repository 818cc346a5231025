package io.sluice.runtime.rollout;

import io.sluice.inference.Ticker;
import io.sluice.operators.infer.TextModel;
import io.sluice.operators.infer.TextVerdict;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model slot that can take a new version safely. The infer operator always calls this object;
 * it answers with the serving model. During a rollout the candidate also runs on the same batches
 * (in shadow: its answers are measured, never used): time per batch, failures, label agreement and
 * confidence drift. Once it has seen {@code shadowRecords} records it is promoted, or rolled back
 * when a figure crosses its bound; either way the decision is recorded in the history, and the
 * model that loses is closed.
 *
 * <p>The candidate runs on the stream thread right after the serving model, so during a rollout
 * a batch costs both models' time; a rollout is short (hundreds of records) for that reason.
 * Thread-safe: the operator's thread calls {@link #infer}, the admin API calls {@link #propose}.
 */
public final class RolloutModel implements TextModel {

  private static final Logger log = LoggerFactory.getLogger(RolloutModel.class);
  private static final int LATENCY_SAMPLES = 4096;

  /** A model together with whatever must be closed when it is dropped. */
  public record Version(TextModel model, AutoCloseable resources) {}

  private final String name;
  private final Clock clock;
  private final Ticker ticker;
  private final List<RolloutEvent> history = new CopyOnWriteArrayList<>();
  private final List<Consumer<RolloutEvent>> listeners = new CopyOnWriteArrayList<>();
  private volatile Version serving;
  private Shadow shadow;

  /** The figures of one rollout in progress. */
  private static final class Shadow {
    final Version candidate;
    final RolloutPolicy policy;
    long records;
    long batches;
    long failed;
    long agreements;
    double servingConfidence;
    double candidateConfidence;
    final double[] servingMillis = new double[LATENCY_SAMPLES];
    final double[] candidateMillis = new double[LATENCY_SAMPLES];
    int samples;

    Shadow(Version candidate, RolloutPolicy policy) {
      this.candidate = candidate;
      this.policy = policy;
    }

    ShadowStats stats() {
      return new ShadowStats(records, batches, failed,
          records == 0 ? 1 : (double) agreements / records,
          p95(servingMillis, samples), p95(candidateMillis, samples),
          records == 0 ? 0 : (candidateConfidence - servingConfidence) / records);
    }
  }

  public RolloutModel(String name, Version initial, Clock clock, Ticker ticker) {
    this.name = name;
    this.serving = initial;
    this.clock = clock;
    this.ticker = ticker;
  }

  /** The topology's name for this model. */
  public String topologyName() {
    return name;
  }

  @Override
  public String name() {
    return serving.model().name();
  }

  @Override
  public String version() {
    return serving.model().version();
  }

  public TextModel serving() {
    return serving.model();
  }

  /** The candidate shadowing now, if a rollout is in progress. */
  public synchronized java.util.Optional<TextModel> candidate() {
    return shadow == null ? java.util.Optional.empty()
        : java.util.Optional.of(shadow.candidate.model());
  }

  @Override
  public int countTokens(String text) {
    return serving.model().countTokens(text);
  }

  @Override
  public List<TextVerdict> infer(List<String> texts) {
    Version current = serving;
    long start = ticker.read();
    List<TextVerdict> answer = current.model().infer(texts);
    double servingMillis = (ticker.read() - start) / 1e6;
    Shadow s;
    synchronized (this) {
      s = shadow;
    }
    if (s != null) {
      shadowRun(s, texts, answer, servingMillis);
    }
    return answer;
  }

  /** Starts shadowing {@code candidate}; refused while another rollout runs. */
  public synchronized void propose(Version candidate, RolloutPolicy policy) {
    if (shadow != null) {
      throw new IllegalStateException("Model '" + name + "' is already rolling out "
          + describe(shadow.candidate.model()) + "; wait for its decision");
    }
    shadow = new Shadow(candidate, policy);
    record(RolloutState.SHADOW, describe(candidate.model()), "shadowing on live traffic for "
        + policy.shadowRecords() + " records", ShadowStats.EMPTY);
  }

  public synchronized RolloutState state() {
    if (shadow != null) {
      return RolloutState.SHADOW;
    }
    return history.isEmpty() ? RolloutState.IDLE : history.get(history.size() - 1).state();
  }

  /** Drops a rollout in progress without a decision (at shutdown), closing the candidate. */
  public synchronized void abandonRollout() {
    if (shadow != null) {
      Version candidate = shadow.candidate;
      shadow = null;
      close(candidate);
    }
  }

  /** Figures of the rollout in progress, if any. */
  public synchronized ShadowStats shadowStats() {
    return shadow == null ? ShadowStats.EMPTY : shadow.stats();
  }

  public List<RolloutEvent> history() {
    return List.copyOf(history);
  }

  /** Called with every new history entry (for meters and logs). */
  public void onEvent(Consumer<RolloutEvent> listener) {
    listeners.add(listener);
  }

  private void shadowRun(Shadow s, List<String> texts, List<TextVerdict> answer,
      double servingMillis) {
    long start = ticker.read();
    List<TextVerdict> candidate = null;
    boolean failed = false;
    try {
      candidate = s.candidate.model().infer(texts);
      failed = candidate.size() != texts.size();
    } catch (RuntimeException e) {
      failed = true;
      log.warn("Candidate {} of model '{}' failed on a shadow batch: {}",
          s.candidate.model().version(), name, e.getMessage());
    }
    double candidateMillis = (ticker.read() - start) / 1e6;
    RolloutState decision = null;
    String reason = null;
    ShadowStats stats;
    synchronized (this) {
      if (shadow != s) {
        return;
      }
      s.batches++;
      if (failed) {
        s.failed++;
      } else {
        for (int i = 0; i < texts.size(); i++) {
          TextVerdict a = answer.get(i);
          TextVerdict b = candidate.get(i);
          if (a.label() != null && a.label().equals(b.label())) {
            s.agreements++;
          }
          s.servingConfidence += a.confidence();
          s.candidateConfidence += b.confidence();
        }
        s.records += texts.size();
        int slot = s.samples % LATENCY_SAMPLES;
        s.servingMillis[slot] = servingMillis;
        s.candidateMillis[slot] = candidateMillis;
        s.samples++;
      }
      stats = s.stats();
      RolloutPolicy p = s.policy;
      if (stats.batches() >= 5 && stats.errorRate() > p.maxErrorRate()) {
        decision = RolloutState.ROLLED_BACK;
        reason = String.format("error rate %.3f > %.3f", stats.errorRate(), p.maxErrorRate());
      } else if (s.records >= p.shadowRecords()) {
        List<String> crossed = new ArrayList<>();
        if (stats.latencyRatio() > p.maxLatencyRatio()) {
          crossed.add(String.format("p95 batch time %.1f ms is %.2fx the serving %.1f ms"
              + " (bound %.2fx)", stats.candidateP95Millis(), stats.latencyRatio(),
              stats.servingP95Millis(), p.maxLatencyRatio()));
        }
        if (stats.errorRate() > p.maxErrorRate()) {
          crossed.add(String.format("error rate %.3f > %.3f", stats.errorRate(),
              p.maxErrorRate()));
        }
        if (stats.agreement() < p.minAgreement()) {
          crossed.add(String.format("agreement %.3f < %.3f", stats.agreement(),
              p.minAgreement()));
        }
        if (Math.abs(stats.confidenceDrift()) > p.maxConfidenceDrift()) {
          crossed.add(String.format("confidence drift %.3f beyond %.3f",
              stats.confidenceDrift(), p.maxConfidenceDrift()));
        }
        decision = crossed.isEmpty() ? RolloutState.PROMOTED : RolloutState.ROLLED_BACK;
        reason = crossed.isEmpty()
            ? String.format("within bounds: p95 ratio %.2f, agreement %.3f, drift %.3f, errors"
                + " %.3f", stats.latencyRatio(), stats.agreement(), stats.confidenceDrift(),
                stats.errorRate())
            : String.join("; ", crossed);
      }
      if (decision == null) {
        return;
      }
      Version loser;
      String candidateVersion = describe(s.candidate.model());
      if (decision == RolloutState.PROMOTED) {
        loser = serving;
        serving = s.candidate;
      } else {
        loser = s.candidate;
      }
      shadow = null;
      record(decision, candidateVersion, reason, stats);
      close(loser);
    }
  }

  private void record(RolloutState state, String candidateVersion, String reason,
      ShadowStats stats) {
    RolloutEvent event = new RolloutEvent(Instant.ofEpochMilli(clock.millis()), name,
        describe(serving.model()), candidateVersion, state, reason, stats);
    history.add(event);
    log.info("Rollout of model '{}' to {}: {} ({})", name, candidateVersion, state, reason);
    listeners.forEach(l -> l.accept(event));
  }

  private void close(Version version) {
    try {
      if (version.resources() != null) {
        version.resources().close();
      }
    } catch (Exception e) {
      log.warn("Could not close model version {}: {}", version.model().version(),
          e.getMessage());
    }
  }

  /** name@version, as results name the model that made them. */
  static String describe(TextModel model) {
    return model.name() + "@" + model.version();
  }

  static double p95(double[] values, int count) {
    int n = Math.min(count, values.length);
    if (n == 0) {
      return 0;
    }
    double[] copy = Arrays.copyOf(values, n);
    Arrays.sort(copy);
    return copy[Math.max(0, (int) Math.ceil(0.95 * n) - 1)];
  }
}
