package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.schemas.DeadLetter;
import io.sluice.schemas.ForwardedRecord;
import io.sluice.schemas.InferenceResult;
import io.sluice.topology.testing.PipelineTestDriver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Whatever the records (good, malformed, restricted, novel, uncertain), each input ends in
 * exactly one place: local results, the cloud, review, the dead letters, or dropped; and no
 * restricted record ever reaches the cloud.
 */
class EveryRecordOnePlaceProperties {

  record Input(String id, String payload, boolean wellFormed, boolean restricted) {}

  @Property(tries = 25)
  void everyRecordEndsInExactlyOnePlace(@ForAll("inputs") @Size(min = 1, max = 30)
      List<Input> inputs) {
    try (PipelineTestDriver driver = PipelineTestDriver.of(TopologyBuilderTest.GATEWAY,
        KeywordModel.factory(new ArrayList<>()))) {
      for (Input input : inputs) {
        driver.pipe("notes", "d", input.payload());
      }
      driver.advanceWallClockTime(Duration.ofSeconds(1));

      Map<String, Integer> places = new HashMap<>();
      for (InferenceResult r : driver.results()) {
        places.merge(r.getEventId(), 1, Integer::sum);
      }
      for (InferenceResult r : driver.review()) {
        places.merge(r.getEventId(), 1, Integer::sum);
      }
      List<ForwardedRecord> forwarded = driver.forwarded();
      for (ForwardedRecord f : forwarded) {
        places.merge(f.getEventId(), 1, Integer::sum);
        assertThat(f.getResult().getRestricted()).as("restricted record forwarded").isFalse();
      }
      for (PipelineTestDriver.Alert a : driver.alerts()) {
        String id = a.json().replaceAll(".*\"eventId\":\"([^\"]+)\".*", "$1");
        places.merge(id, 1, Integer::sum);
      }
      List<DeadLetter> dead = driver.deadLetters();
      double dropped = driver.registry().find("sluice.routed").tag("route", "drop").counters()
          .stream().mapToDouble(c -> c.count()).sum();

      long wellFormed = inputs.stream().filter(Input::wellFormed).count();
      assertThat(dead).hasSize((int) (inputs.size() - wellFormed));
      assertThat(places.values()).allMatch(n -> n == 1);
      assertThat(places.size() + (long) dropped).isEqualTo(wellFormed);
      for (DeadLetter d : dead) {
        assertThat(new String(d.getRaw().array(), StandardCharsets.UTF_8)).doesNotContain("\"ok\"");
      }
    }
  }

  @Provide
  Arbitrary<List<Input>> inputs() {
    Arbitrary<String> words = Arbitraries.of("breaker", "fuse", "guard", "smoke", "zzz", "odd",
        "pump", "noise", "240 V", "mail me@x.org");
    Arbitrary<Input> one = Combinators.combine(
        Arbitraries.integers().between(0, 1_000_000),
        words.list().ofMinSize(1).ofMaxSize(5),
        Arbitraries.integers().between(0, 9),
        Arbitraries.of(true, false),
        Arbitraries.of(true, false)).as((n, ws, kind, restricted, noise) -> {
          String id = "e" + n;
          if (kind == 0) {
            return new Input(id, "{\"eventId\":\"" + id + "\",\"text\":", false, false);
          }
          if (kind == 1) {
            return new Input(id, "{\"eventId\":\"" + id + "\",\"text\":42}", false, false);
          }
          return new Input(id, "{\"eventId\":\"" + id + "\",\"ok\":true,\"text\":\""
              + String.join(" ", ws) + "\",\"restricted\":" + restricted
              + (noise ? ",\"noise\":\"yes\"" : "") + "}", true, restricted);
        });
    return one.list().uniqueElements(Input::id);
  }
}
