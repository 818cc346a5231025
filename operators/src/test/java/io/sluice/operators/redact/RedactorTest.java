package io.sluice.operators.redact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedactorTest {

  static final Redactor ALL = Redactor.of(Redactor.builtInPatterns(), Map.of());
  static final Redactor PHONE = Redactor.of(List.of("phone"), Map.of());

  static String redact(Redactor r, String text) {
    return r.redact(text).text();
  }

  @Test
  void builtInsAreListedInPrecedenceOrder() {
    assertThat(Redactor.builtInPatterns())
        .containsExactly("email", "iban", "credit-card", "ip", "mac", "phone");
  }

  @ParameterizedTest
  @ValueSource(strings = {"anna.schmidt@plant-a.example.com", "ops+line7@example.co.uk",
      "J_Doe-99@mail.example.org"})
  void emails(String email) {
    assertThat(redact(ALL, "mail " + email + ", thanks")).isEqualTo("mail [EMAIL], thanks");
    assertThat(redact(ALL, "(" + email + ").")).isEqualTo("([EMAIL]).");
  }

  @ParameterizedTest
  @ValueSource(strings = {"user@localhost", "a@b.c", "@example.com", "not an email@"})
  void notEmails(String text) {
    assertThat(redact(ALL, text)).isEqualTo(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"+49 89 1234567", "+1 (555) 123-4567", "+44 20 7946 0958",
      "+33 1 23 45 67 89", "0049 89 1234567", "+49 (0)89 1234567", "+49 (0) 89 1234567",
      "+4915112345678", "+81-3-1234-5678", "(555) 123-4567", "(089) 1234567", "555-123-4567",
      "555.123.4567", "555 123 4567", "089 1234 5678", "06 12 34 56 78", "030/1234567",
      "0171-1234567", "020 7946 0958"})
  void phoneNumbersInInternationalAndNationalFormats(String phone) {
    assertThat(redact(PHONE, "call " + phone + " now")).isEqualTo("call [PHONE] now");
    assertThat(redact(PHONE, "Tel.: " + phone + ".")).isEqualTo("Tel.: [PHONE].");
  }

  @ParameterizedTest
  @ValueSource(strings = {"12.5 bar", "2026-11-22", "P/N 4471-220", "4471-220-A", "1,200 rpm",
      "240 V", "75%", "10:30", "2026-11-22T08:15:00+01:00", "01.12.2026", "01-12-2026",
      "22/11/2026", "+12.5 °C", "-40 °C", "ISO 9001", "v1.2.3", "3mm", "line 7", "pump 3",
      "order 123456789", "1234 5678", "+3 dB", "0.25 mm", "20 000 rpm", "serial 12345678901234",
      "batch 2026-0457", "torque 35-40 Nm", "P-101", "4471 220 118", "12/24 V", "1.5e-3",
      "192.168.1.10", "3.1415926535", "ticket #20261122", "10 x 20 x 30 mm",
      "between 100-200-300 units", "TT-4021 at 71.5 C"})
  void phoneLeavesMeasurementsDatesAndPartNumbersAlone(String text) {
    assertThat(redact(PHONE, "note: " + text + " checked")).isEqualTo("note: " + text
        + " checked");
  }

  @Test
  void digitGroupsBeyondTheE164MaximumOfFifteenDigitsAreLeftOut() {
    assertThat(redact(PHONE, "+49 89 1234567 1234 5678")).isEqualTo("[PHONE] 5678");
    // within 15 digits, a following group cannot be told apart: it is redacted too
    assertThat(redact(PHONE, "+49 89 1234567 12 bar")).isEqualTo("[PHONE] bar");
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.1", "192.168.1.10/24", "255.255.255.255", "::1",
      "fe80::1%eth0", "2001:db8::8a2e:370:7334", "2001:0db8:0000:0000:0000:ff00:0042:8329",
      "::ffff:10.0.0.1", "::"})
  void ipv4AndIpv6Addresses(String ip) {
    assertThat(redact(ALL, "host " + ip + " is down.")).isEqualTo("host [IP] is down.");
  }

  @Test
  void ipsInsideBracketsAndWithPorts() {
    assertThat(redact(ALL, "[2001:db8::1]:8080 and 10.1.2.3:502"))
        .isEqualTo("[[IP]]:8080 and [IP]:502");
  }

  @ParameterizedTest
  @ValueSource(strings = {"10:30:45", "256.1.1.1", "1.2.3", "12.5", "a:b", "1:2:3:4:5:6:7:8:9",
      "2001:db8::1::2", "Note: ok", "ratio 3:1"})
  void notIps(String text) {
    assertThat(redact(Redactor.of(List.of("ip"), Map.of()), text)).isEqualTo(text);
  }

  @Test
  void ibansWithValidCheckDigitsOnly() {
    assertThat(redact(ALL, "pay to DE89 3704 0044 0532 0130 00 today"))
        .isEqualTo("pay to [IBAN] today");
    assertThat(redact(ALL, "GB82WEST12345698765432")).isEqualTo("[IBAN]");
    assertThat(redact(ALL, "GB82 WEST 1234 5698 7654 32 ABCD")).isEqualTo("[IBAN] ABCD");
    assertThat(redact(ALL, "DE89 3704 0044 0532 0130 01")).doesNotContain("[IBAN]");
  }

  @Test
  void creditCardsThatPassTheLuhnCheck() {
    assertThat(redact(ALL, "card 4111 1111 1111 1111 exp")).isEqualTo("card [CREDIT_CARD] exp");
    assertThat(redact(ALL, "card 4111-1111-1111-1111")).isEqualTo("card [CREDIT_CARD]");
    assertThat(redact(ALL, "amex 378282246310005")).isEqualTo("amex [CREDIT_CARD]");
    assertThat(redact(ALL, "card 4111 1111 1111 1112")).doesNotContain("[CREDIT_CARD]");
    assertThat(redact(ALL, "id 1234567812345670")).isEqualTo("id 1234567812345670");
  }

  @Test
  void macAddresses() {
    assertThat(redact(ALL, "nic 00:1A:2B:3C:4D:5E up")).isEqualTo("nic [MAC] up");
    assertThat(redact(ALL, "nic 00-1a-2b-3c-4d-5e")).isEqualTo("nic [MAC]");
    assertThat(redact(ALL, "00:1A:2B:3C:4D")).isEqualTo("00:1A:2B:3C:4D");
  }

  @Test
  void countsEveryConfiguredPatternInOrderIncludingZeros() {
    Redaction r = Redactor.of(List.of("phone", "email", "ip"), Map.of("badge", "B-\\d{6}"))
        .redact("a@example.com, b@example.com, +49 89 1234567, B-123456");
    assertThat(r.text()).isEqualTo("[EMAIL], [EMAIL], [PHONE], [BADGE]");
    assertThat(r.counts()).containsExactly(Map.entry("email", 2), Map.entry("ip", 0),
        Map.entry("phone", 1), Map.entry("badge", 1));
    assertThat(r.total()).isEqualTo(4);
  }

  @Test
  void overlappingMatchesResolveToTheLeftmostLongest() {
    assertThat(redact(ALL, "::ffff:10.0.0.1")).isEqualTo("[IP]");
    assertThat(redact(ALL, "ops.5551234567@example.com")).isEqualTo("[EMAIL]");
    Redactor custom = Redactor.of(List.of("email"), Map.of("user", "anna\\.\\w+"));
    assertThat(redact(custom, "anna.schmidt@example.com and anna.berg"))
        .isEqualTo("[EMAIL] and [USER]");
  }

  @Test
  void aCustomPatternMayRedactOnlyItsValueGroup() {
    Redactor r = Redactor.of(List.of(), Map.of("badge", "badge[: ]+(?<value>\\d{6})"));
    assertThat(redact(r, "badge: 123456, badge 654321")).isEqualTo("badge: [BADGE], badge [BADGE]");
  }

  @Test
  void placeholdersUseTheUpperCaseName() {
    Map<String, String> custom = new LinkedHashMap<>();
    custom.put("work-order", "WO\\d+");
    assertThat(redact(Redactor.of(List.of(), custom), "see WO4711")).isEqualTo("see [WORK_ORDER]");
  }

  @Test
  void badConfigurationIsRefusedWithTheNameOfThePattern() {
    assertThatThrownBy(() -> Redactor.of(List.of("credit_card"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown built-in redaction pattern 'credit_card'; did you mean"
            + " 'credit-card'?");
    assertThatThrownBy(() -> Redactor.of(List.of("emial"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("did you mean 'email'?");
    assertThatThrownBy(() -> Redactor.of(List.of(), Map.of("badge", "B-(\\d")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("custom redaction pattern 'badge' has an invalid regex \"B-(\\d\"")
        .hasMessageContaining("Unclosed group");
    assertThatThrownBy(() -> Redactor.of(List.of(), Map.of("maybe", "x*")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'maybe' matches the empty text");
    assertThatThrownBy(() -> Redactor.of(List.of(), Map.of("email", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has the name of a built-in pattern");
    assertThatThrownBy(() -> Redactor.of(List.of(), Map.of("9lives", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must start with a letter");
  }

  @Test
  void aCatastrophicCustomPatternFailsClosedInsteadOfHanging() {
    Redactor r = Redactor.of(List.of("email"), Map.of("bad", "(a+)+b"));
    assertThatThrownBy(() -> r.redact("a".repeat(5_000)))
        .isInstanceOf(RedactionException.class)
        .hasMessageContaining("redaction pattern 'bad' needed more than")
        .satisfies(e -> assertThat(((RedactionException) e).pattern()).isEqualTo("bad"));
  }

  @Test
  void aDeeplyRecursingCustomPatternFailsClosedToo() {
    Redactor r = Redactor.of(List.of(), Map.of("alternation", "(?:a|b)+c"));
    assertThatThrownBy(() -> r.redact("ab".repeat(200_000)))
        .isInstanceOf(RedactionException.class);
  }

  @Test
  void textWithoutMatchesComesBackUnchanged() {
    Redaction r = ALL.redact("pump 3 at 12.5 bar since 2026-11-22");
    assertThat(r.text()).isEqualTo("pump 3 at 12.5 bar since 2026-11-22");
    assertThat(r.total()).isZero();
  }
}
