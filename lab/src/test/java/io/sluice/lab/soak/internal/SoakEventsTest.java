package io.sluice.lab.soak.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.sluice.lab.soak.internal.SoakEvents.Event;
import io.sluice.lab.soak.internal.SoakEvents.Kind;
import io.sluice.operators.decode.DecodeException;
import io.sluice.operators.decode.EventSchema;
import io.sluice.operators.decode.IngestContext;
import io.sluice.operators.decode.JsonPayloadDecoder;
import io.sluice.schemas.DeadLetterType;
import io.sluice.schemas.InferenceResult;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The soak's payloads, checked against the gateway's own decoder. */
class SoakEventsTest {

  static final long LIMIT = 4096;
  static final JsonPayloadDecoder DECODER = new JsonPayloadDecoder(EventSchema.TEXT_EVENT, LIMIT);
  static final IngestContext CONTEXT =
      new IngestContext("notes", "dev-1", "sluice.in.notes", 0, 42, Instant.EPOCH);

  static SoakEvents events(double bad, double restricted) {
    return new SoakEvents("t-", List.of("bearing noise on pump 2", "breaker tripped"), 4, bad,
        restricted, LIMIT, new SplittableRandom(3),
        Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
  }

  static List<Event> first(SoakEvents events, int n) {
    List<Event> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(events.next(i));
    }
    return out;
  }

  @Test
  void everyBadKindIsDeadLetteredByTheGatewaysDecoderWithItsReason() {
    Map<Kind, List<DeadLetterType>> seen = new EnumMap<>(Kind.class);
    for (Event e : first(events(1.0, 0), 40)) {
      assertThat(e.kind().bad()).isTrue();
      DecodeException failure = catchThrowableOfType(DecodeException.class,
          () -> DECODER.decode(e.payload(), CONTEXT));
      assertThat(failure).as("%s %s", e.kind(), e.id()).isNotNull();
      seen.computeIfAbsent(e.kind(), k -> new ArrayList<>()).add(failure.type());
    }
    assertThat(seen.keySet()).containsExactlyInAnyOrder(Kind.MALFORMED, Kind.OVERSIZED,
        Kind.INVALID_UTF8, Kind.WRONG_SCHEMA);
    assertThat(seen.get(Kind.MALFORMED)).containsOnly(DeadLetterType.MALFORMED);
    assertThat(seen.get(Kind.OVERSIZED)).containsOnly(DeadLetterType.OVERSIZED);
    assertThat(seen.get(Kind.INVALID_UTF8)).containsOnly(DeadLetterType.INVALID_UTF8);
    assertThat(seen.get(Kind.WRONG_SCHEMA))
        .containsOnly(DeadLetterType.WRONG_TYPE, DeadLetterType.MISSING_FIELD);
  }

  @Test
  void validNotesDecodeWithTheirIdAndRestrictedOnesCarryTheCanary() throws Exception {
    List<Event> all = first(events(0, 0.5), 60);
    assertThat(all).extracting(Event::kind).contains(Kind.NOTE, Kind.RESTRICTED)
        .doesNotContain(Kind.MALFORMED);
    for (Event e : all) {
      InferenceResult r = DECODER.decode(e.payload(), CONTEXT).getResult();
      assertThat(r.getEventId()).isEqualTo(e.id()).isEqualTo("t-" + e.n());
      assertThat(r.getRestricted()).isEqualTo(e.kind() == Kind.RESTRICTED);
      assertThat(r.getText().contains(SoakEvents.CANARY)).isEqualTo(e.kind() == Kind.RESTRICTED);
      assertThat(e.topic()).isEqualTo("soak/dev-" + e.n() % 4 + "/notes");
    }
  }

  @Test
  void theIdCanBeReadFromTheRawBytesOfEveryKind() {
    for (Event e : first(events(0.6, 0.2), 200)) {
      assertThat(SoakEvents.idIn(e.payload())).as(e.kind().name()).contains(e.id());
    }
    assertThat(SoakEvents.idIn("{\"text\":\"no id\"}".getBytes(StandardCharsets.UTF_8)))
        .isEmpty();
    assertThat(SoakEvents.idIn(null)).isEmpty();
  }

  @Test
  void sharesAreRoughlyKeptAndTheSameSeedGivesTheSameEvents() {
    List<Event> a = first(events(0.1, 0.05), 5_000);
    long bad = a.stream().filter(e -> e.kind().bad()).count();
    long restricted = a.stream().filter(e -> e.kind() == Kind.RESTRICTED).count();
    assertThat(bad).isBetween(400L, 600L);
    assertThat(restricted).isBetween(170L, 330L);
    List<Event> b = first(events(0.1, 0.05), 5_000);
    for (int i = 0; i < a.size(); i++) {
      assertThat(b.get(i).kind()).isEqualTo(a.get(i).kind());
      assertThat(b.get(i).payload()).isEqualTo(a.get(i).payload());
    }
  }
}
