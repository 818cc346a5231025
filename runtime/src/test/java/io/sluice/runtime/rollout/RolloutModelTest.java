package io.sluice.runtime.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.inference.Ticker;
import io.sluice.operators.infer.TextModel;
import io.sluice.operators.infer.TextVerdict;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RolloutModelTest {

  final AtomicLong nanos = new AtomicLong();
  final Ticker ticker = nanos::get;
  final Clock clock = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);

  /** A fake model: labels by a function, takes a fixed time per batch on the fake ticker. */
  final class Fake implements TextModel {
    final String version;
    final long millisPerBatch;
    final String label;
    final double confidence;
    final AtomicBoolean closed = new AtomicBoolean();
    boolean failing;

    Fake(String version, long millisPerBatch, String label, double confidence) {
      this.version = version;
      this.millisPerBatch = millisPerBatch;
      this.label = label;
      this.confidence = confidence;
    }

    @Override
    public String name() {
      return "enc";
    }

    @Override
    public String version() {
      return version;
    }

    @Override
    public int countTokens(String text) {
      return 3;
    }

    @Override
    public List<TextVerdict> infer(List<String> texts) {
      nanos.addAndGet(millisPerBatch * 1_000_000);
      if (failing) {
        throw new IllegalStateException("broken");
      }
      List<TextVerdict> out = new ArrayList<>();
      texts.forEach(t -> out.add(new TextVerdict(label, confidence, 0.1, false, 3)));
      return out;
    }

    RolloutModel.Version asVersion() {
      return new RolloutModel.Version(this, () -> closed.set(true));
    }
  }

  static List<String> batch(int n) {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      texts.add("text " + i);
    }
    return texts;
  }

  @Test
  void aCandidateWithinBoundsIsPromotedAndTheOldOneClosed() {
    Fake v1 = new Fake("1", 10, "a", 0.9);
    Fake v2 = new Fake("2", 12, "a", 0.88);
    RolloutModel slot = new RolloutModel("enc", v1.asVersion(), clock, ticker);
    slot.propose(v2.asVersion(), new RolloutPolicy(100, 1.5, 0.01, 0.8, 0.15));
    assertThat(slot.state()).isEqualTo(RolloutState.SHADOW);
    for (int i = 0; i < 9; i++) {
      assertThat(slot.infer(batch(10))).allSatisfy(v -> assertThat(v.confidence()).isEqualTo(0.9));
    }
    assertThat(slot.version()).isEqualTo("1");
    slot.infer(batch(10));
    assertThat(slot.state()).isEqualTo(RolloutState.PROMOTED);
    assertThat(slot.version()).isEqualTo("2");
    assertThat(v1.closed).isTrue();
    assertThat(v2.closed).isFalse();
    assertThat(slot.infer(batch(1)).get(0).confidence()).isEqualTo(0.88);
    assertThat(slot.history()).extracting(RolloutEvent::state)
        .containsExactly(RolloutState.SHADOW, RolloutState.PROMOTED);
  }

  @Test
  void aSlowCandidateIsRolledBackByItself() {
    Fake v1 = new Fake("1", 10, "a", 0.9);
    Fake slow = new Fake("2-slow", 40, "a", 0.9);
    RolloutModel slot = new RolloutModel("enc", v1.asVersion(), clock, ticker);
    slot.propose(slow.asVersion(), RolloutPolicy.defaults());
    for (int i = 0; i < 50; i++) {
      slot.infer(batch(10));
    }
    assertThat(slot.state()).isEqualTo(RolloutState.ROLLED_BACK);
    assertThat(slot.version()).isEqualTo("1");
    assertThat(slow.closed).isTrue();
    RolloutEvent last = slot.history().get(slot.history().size() - 1);
    assertThat(last.reason()).contains("4.00x").contains("bound 1.50x");
    assertThat(last.shadow().records()).isEqualTo(500);
  }

  @Test
  void aFailingCandidateIsRolledBackEarly() {
    Fake v1 = new Fake("1", 10, "a", 0.9);
    Fake broken = new Fake("2", 10, "a", 0.9);
    broken.failing = true;
    RolloutModel slot = new RolloutModel("enc", v1.asVersion(), clock, ticker);
    slot.propose(broken.asVersion(), RolloutPolicy.defaults());
    for (int i = 0; i < 5; i++) {
      assertThat(slot.infer(batch(10))).hasSize(10);
    }
    assertThat(slot.state()).isEqualTo(RolloutState.ROLLED_BACK);
    assertThat(slot.history().get(1).reason()).startsWith("error rate 1.000");
  }

  @Test
  void aCandidateThatDisagreesIsRolledBack() {
    Fake v1 = new Fake("1", 10, "a", 0.9);
    Fake other = new Fake("2", 10, "b", 0.9);
    RolloutModel slot = new RolloutModel("enc", v1.asVersion(), clock, ticker);
    slot.propose(other.asVersion(), new RolloutPolicy(20, 1.5, 0.01, 0.8, 0.15));
    slot.infer(batch(20));
    assertThat(slot.state()).isEqualTo(RolloutState.ROLLED_BACK);
    assertThat(slot.history().get(1).reason()).contains("agreement 0.000 < 0.800");
  }

  @Test
  void oneRolloutAtATime() {
    Fake v1 = new Fake("1", 10, "a", 0.9);
    RolloutModel slot = new RolloutModel("enc", v1.asVersion(), clock, ticker);
    slot.propose(new Fake("2", 10, "a", 0.9).asVersion(), RolloutPolicy.defaults());
    assertThatThrownBy(() -> slot.propose(new Fake("3", 10, "a", 0.9).asVersion(),
        RolloutPolicy.defaults())).hasMessageContaining("already rolling out enc@2");
  }
}
