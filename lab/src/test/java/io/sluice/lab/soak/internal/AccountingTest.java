package io.sluice.lab.soak.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.lab.soak.internal.Accounting.Books;
import io.sluice.lab.soak.internal.OutputLedger.Place;
import io.sluice.lab.soak.internal.SoakEvents.Kind;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class AccountingTest {

  /** Copies per place, in {@link Place} order: input, local, forward, cloud, verdict, dlq. */
  static int[] c(int input, int local, int forward, int cloud, int verdict, int dlq) {
    return new int[] {input, local, forward, cloud, verdict, dlq};
  }

  static Books settle(Map<String, Kind> kinds, Map<String, int[]> copies) {
    return Accounting.settle(kinds, id -> copies.getOrDefault(id, new int[6]));
  }

  @Test
  void aForwardedEventIsDeliveredOnlyOnceTheCloudResolvedIt() {
    Map<String, Kind> kinds = Map.of("a", Kind.NOTE, "b", Kind.NOTE);
    Books inFlight = settle(kinds, Map.of("a", c(1, 1, 0, 0, 0, 0), "b", c(1, 0, 1, 1, 0, 0)));
    assertThat(inFlight.delivered()).isEqualTo(1);
    // on its way to the cloud: a backlog, not a loss
    assertThat(inFlight.backlog()).isEqualTo(1);
    assertThat(inFlight.lost()).isZero();

    Books resolved = settle(kinds, Map.of("a", c(1, 1, 0, 0, 0, 0), "b", c(1, 0, 1, 1, 1, 0)));
    assertThat(resolved.delivered()).isEqualTo(2);
    assertThat(resolved.lost()).isZero();
    assertThat(resolved.forwarded()).isEqualTo(1);
    assertThat(resolved.balanced()).isTrue();
  }

  @Test
  void copiesBeforeDeDuplicationAreCountedApartFromDuplicatesAfterIt() {
    // "r" came in twice (the broker redelivered it after a kill): two local results. "f" came in
    // twice and was forwarded twice; the link repeated one copy; the cloud kept one.
    Books books = settle(Map.of("r", Kind.NOTE, "f", Kind.NOTE),
        Map.of("r", c(2, 2, 0, 0, 0, 0), "f", c(2, 0, 2, 3, 1, 0)));
    assertThat(books.ingressCopies()).isEqualTo(2);
    assertThat(books.gatewayDuplicates()).isEqualTo(2);
    assertThat(books.linkRepeats()).isEqualTo(1);
    assertThat(books.duplicates()).isZero();
    assertThat(books.processingMismatches()).isZero();
    assertThat(books.balanced()).isTrue();

    Books repeated = settle(Map.of("f", Kind.NOTE), Map.of("f", c(1, 0, 1, 2, 2, 0)));
    assertThat(repeated.duplicates()).isEqualTo(1);
    assertThat(repeated.balanced()).isFalse();
  }

  @Test
  void badEventsMustBeDeadLetteredAndValidOnesMustNotBe() {
    Books books = settle(Map.of("bad", Kind.OVERSIZED, "lostBad", Kind.MALFORMED,
        "good", Kind.RESTRICTED, "wrong", Kind.NOTE),
        Map.of("bad", c(1, 0, 0, 0, 0, 1), "good", c(1, 1, 0, 0, 0, 0),
            "wrong", c(1, 0, 0, 0, 0, 1)));
    assertThat(books.deadLettered()).isEqualTo(1);
    assertThat(books.delivered()).isEqualTo(1);
    assertThat(books.restricted()).isEqualTo(1);
    assertThat(books.misrouted()).isEqualTo(1);
    assertThat(books.lost()).isEqualTo(2);
    assertThat(books.lostByKind()).containsEntry("MALFORMED", 1L).containsEntry("NOTE", 1L);
  }

  @Test
  void onlyAnEventWithNoCopyOnItsWayIsLost() {
    Books books = settle(Map.of("queued", Kind.NOTE, "gone", Kind.NOTE, "bad", Kind.MALFORMED),
        Map.of("queued", c(1, 0, 0, 0, 0, 0), "bad", c(1, 0, 0, 0, 0, 0)));
    assertThat(books.backlog()).isEqualTo(2);
    assertThat(books.lost()).isEqualTo(1);
    assertThat(books.lostSample()).containsExactly("gone");
  }

  @Test
  void outputsThatDoNotMatchTheInputsAreAProcessingMismatch() {
    Books books = settle(Map.of("x", Kind.NOTE), Map.of("x", c(1, 2, 0, 0, 0, 0)));
    assertThat(books.processingMismatches()).isEqualTo(1);
    assertThat(books.mismatchSample()).containsExactly("x in 1 out 2");
  }

  @Provide
  Arbitrary<Map<String, Kind>> kinds() {
    return Arbitraries.of(Kind.class).list().ofMaxSize(60).map(list -> {
      Map<String, Kind> out = new LinkedHashMap<>();
      for (int i = 0; i < list.size(); i++) {
        out.put("e" + i, list.get(i));
      }
      return out;
    });
  }

  @Provide
  Arbitrary<List<int[]>> copies() {
    Arbitrary<Integer> n = Arbitraries.integers().between(0, 3);
    return Combinators.combine(n, n, n, n, n, n).as(AccountingTest::c).list().ofSize(60);
  }

  @Property(tries = 300)
  void everyPublishedEventIsDeliveredDeadLetteredOnItsWayOrLostAndNeverTwo(
      @ForAll("kinds") Map<String, Kind> kinds, @ForAll("copies") List<int[]> copies) {
    Map<String, int[]> byId = byId(kinds, copies);
    Books books = settle(kinds, byId);

    assertThat(books.delivered() + books.deadLettered() + books.backlog() + books.lost())
        .isEqualTo(books.published()).isEqualTo(kinds.size());
    assertThat(books.publishedValid() + books.publishedBad()).isEqualTo(books.published());
    assertThat(books.lostByKind().values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(books.lost());
    assertThat(books.lostSample()).hasSizeLessThanOrEqualTo(20);
    assertThat(books.duplicates()).isEqualTo(byId.values().stream()
        .mapToLong(a -> Math.max(0, a[Place.VERDICT.ordinal()] - 1)).sum());
  }

  @Property(tries = 300)
  void anotherCopyAnywhereNeverLosesAnEvent(@ForAll("kinds") Map<String, Kind> kinds,
      @ForAll("copies") List<int[]> copies, @ForAll("places") Place place) {
    Map<String, int[]> byId = byId(kinds, copies);
    Books before = settle(kinds, byId);
    Map<String, int[]> more = new HashMap<>();
    byId.forEach((id, a) -> {
      int[] b = a.clone();
      b[place.ordinal()]++;
      more.put(id, b);
    });
    Books after = settle(kinds, more);

    // a copy can settle an event (a dead-letter copy of a valid event on its way settles it
    // as lost and misrouted), never unsettle one
    assertThat(after.lost() + after.backlog())
        .isLessThanOrEqualTo(before.lost() + before.backlog());
    if (place != Place.DLQ) {
      assertThat(after.lost()).isLessThanOrEqualTo(before.lost());
    }
    assertThat(after.delivered() + after.deadLettered())
        .isGreaterThanOrEqualTo(before.delivered() + before.deadLettered());
  }

  @Provide
  Arbitrary<Place> places() {
    return Arbitraries.of(Place.class);
  }

  private static Map<String, int[]> byId(Map<String, Kind> kinds, List<int[]> copies) {
    Map<String, int[]> byId = new HashMap<>();
    int i = 0;
    for (String id : kinds.keySet()) {
      byId.put(id, copies.get(i++));
    }
    return byId;
  }
}
