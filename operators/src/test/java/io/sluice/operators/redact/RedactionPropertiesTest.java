package io.sluice.operators.redact;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of redaction over texts assembled from realistic fragments. */
class RedactionPropertiesTest {

  static final Redactor ALL = Redactor.of(Redactor.builtInPatterns(), Map.of());
  static final Redactor PHONE = Redactor.of(List.of("phone"), Map.of());

  @Provide
  Arbitrary<String> measurement() {
    Arbitrary<String> number = Arbitraries.oneOf(
        Arbitraries.integers().between(1, 99_999).map(String::valueOf),
        Combinators.combine(Arbitraries.integers().between(0, 999),
            Arbitraries.integers().between(0, 99)).as((a, b) -> a + "." + b),
        Arbitraries.integers().between(1, 999).map(a -> a + ",200"));
    Arbitrary<String> unit = Arbitraries.of("bar", "mbar", "psi", "°C", "mm", "V", "kV", "A",
        "%", "rpm", "Hz", "kW", "Nm", "l/min", "m3/h", "mm/s", "dB", "ppm");
    return Combinators.combine(number, Arbitraries.of("", " ", "\u00A0"), unit)
        .as((n, s, u) -> n + s + u);
  }

  @Provide
  Arbitrary<String> date() {
    Arbitrary<Integer> y = Arbitraries.integers().between(1990, 2039);
    Arbitrary<Integer> m = Arbitraries.integers().between(1, 12);
    Arbitrary<Integer> d = Arbitraries.integers().between(1, 28);
    return Combinators.combine(y, m, d, Arbitraries.of("-", ".", "/", "iso-time"))
        .as((yy, mm, dd, sep) -> switch (sep) {
          case "-" -> String.format("%d-%02d-%02d", yy, mm, dd);
          case "iso-time" -> String.format("%d-%02d-%02dT%02d:15:00+01:00", yy, mm, dd, dd % 24);
          default -> String.format("%02d%s%02d%s%d", dd, sep, mm, sep, yy);
        });
  }

  @Provide
  Arbitrary<String> partNumber() {
    Arbitrary<Integer> a = Arbitraries.integers().between(1000, 9999);
    Arbitrary<Integer> b = Arbitraries.integers().between(100, 999);
    return Combinators.combine(a, b, Arbitraries.of("", "-A", "-B2", "-01"),
        Arbitraries.of("P/N ", "PN ", "", "part "))
        .as((x, y, suffix, prefix) -> prefix + x + "-" + y + suffix);
  }

  @Provide
  Arbitrary<String> safeFragment() {
    return Arbitraries.oneOf(measurement(), date(), partNumber(),
        Arbitraries.of("pump 3", "line 7", "P-101", "TT-4021", "valve", "leaking", "ok",
            "checked", "shift B", "ISO 9001", "v1.2.3", "x2", "#12"));
  }

  @Provide
  Arbitrary<String> sensitiveFragment() {
    return Arbitraries.of("anna@plant-a.example.com", "+49 89 1234567", "(555) 123-4567",
        "089 1234 5678", "10.0.0.17", "fe80::1%eth0", "DE89 3704 0044 0532 0130 00",
        "4111 1111 1111 1111", "00:1A:2B:3C:4D:5E", "555-123-4567");
  }

  @Provide
  Arbitrary<String> safeText() {
    return join(safeFragment());
  }

  @Provide
  Arbitrary<String> mixedText() {
    return join(Arbitraries.oneOf(safeFragment(), sensitiveFragment()));
  }

  private static Arbitrary<String> join(Arbitrary<String> fragments) {
    return Combinators.combine(fragments.list().ofMaxSize(12),
        Arbitraries.of(" ", ", ", "; ", " / ", ". ", "\n"))
        .as((parts, sep) -> String.join(sep, parts));
  }

  @Property(tries = 1_000)
  void phoneRedactionLeavesMeasurementsDatesAndPartNumbersAlone(
      @ForAll("safeText") String text) {
    assertThat(PHONE.redact(text).text()).isEqualTo(text);
  }

  @Property(tries = 1_000)
  void redactingTwiceChangesNothingMore(@ForAll("mixedText") String text) {
    Redaction once = ALL.redact(text);
    Redaction twice = ALL.redact(once.text());
    assertThat(twice.text()).isEqualTo(once.text());
    assertThat(twice.total()).isZero();
  }

  @Property(tries = 1_000)
  void everySensitiveFragmentIsGoneAndCountsMatchThePlaceholders(
      @ForAll("mixedText") String text) {
    Redaction r = ALL.redact(text);
    for (String secret : List.of("anna@", "1234567", "123-4567", "10.0.0.17", "fe80::",
        "3704 0044", "4111 1111", "4D:5E", "1234 5678")) {
      assertThat(r.text()).doesNotContain(secret);
    }
    for (Map.Entry<String, Integer> e : r.counts().entrySet()) {
      String placeholder = "[" + e.getKey().toUpperCase(java.util.Locale.ROOT).replace('-', '_')
          + "]";
      int occurrences = (r.text().length() - r.text().replace(placeholder, "").length())
          / placeholder.length();
      assertThat(occurrences).as(placeholder).isEqualTo(e.getValue());
    }
  }
}
