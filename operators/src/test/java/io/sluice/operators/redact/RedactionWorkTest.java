package io.sluice.operators.redact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.sluice.operators.internal.RegexScan;
import io.sluice.operators.redact.internal.RedactionPatterns;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The built-in patterns do linear work on adversarial inputs: bounded by a count of character
 * reads (a budget that throws when spent), not by a clock.
 */
class RedactionWorkTest {

  /** Character reads per character of text that every built-in regex must stay within. */
  static final int READS_PER_CHAR = 32;

  /** Longest candidate any built-in may produce, so that acceptors do constant work per hit. */
  static final int MAX_HIT = 700;

  static final List<String> UNITS = List.of("a", "1", "1 ", "1-", "+1 ", "a.", "a@", "a@b.", ":",
      "1:", "f:", "1.", "(1) ", "0 ", "00 ", "DE00 ", "A1", "ab", "1.1.", "+1(1)", "0-0", "aa:",
      "f.f:", "a@a-", "0/", "12 ", "123-", "123 ", "1111 ", "0 12 ", "+", "(", "((12)", "4",
      "41 ", "4-", "::", "1.1.1.1.", "ff:ff:", "0049 ", "+49 (0)", "DE89 3704 ", "a@b.c.",
      "a-b.", "%", "_@", "00:1A:", "1\u00A0");

  @Test
  void everyBuiltInRegexStaysWithinLinearWorkOnAdversarialInputs() {
    for (String name : RedactionPatterns.BUILT_INS.names()) {
      for (RedactionPatterns.Rule rule : RedactionPatterns.BUILT_INS.rules(name)) {
        for (String unit : UNITS) {
          String text = unit.repeat(40_000 / unit.length());
          long budget = (long) READS_PER_CHAR * text.length() + 4_096;
          assertThatCode(() -> {
            for (RegexScan.Hit hit : RegexScan.scan(rule.pattern(), false, text, budget,
                rule.acceptor())) {
              assertThat(hit.end() - hit.start()).isLessThanOrEqualTo(MAX_HIT);
            }
          }).as("%s (%s) on '%s' repeated", name, rule.pattern(), unit)
              .doesNotThrowAnyException();
        }
      }
    }
  }

  @Test
  void theWholeRedactorHandlesLongAdversarialTextsWithinItsBudget() {
    Redactor all = Redactor.of(Redactor.builtInPatterns(), Map.of());
    for (String unit : UNITS) {
      String text = unit.repeat(20_000 / unit.length());
      assertThatCode(() -> all.redact(text)).as(unit).doesNotThrowAnyException();
    }
  }
}
