package io.sluice.operators.extract;

import static org.assertj.core.api.Assertions.assertThatCode;

import io.sluice.operators.extract.internal.ExtractionPatterns;
import io.sluice.operators.internal.RegexScan;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The built-in extraction regexes do linear work on adversarial inputs, counted in reads. */
class ExtractionWorkTest {

  static final int READS_PER_CHAR = 32;

  static final List<String> UNITS = List.of("a", "1", "1 ", "1,", "1,000", "1.", "-1", "P-",
      "P/N ", "PN ", "part no ", "1-1-", "123-45-", "A-1", "pump ", "pump no ", "line 1.",
      "heat exchanger ", "a b ", "1 m", "1 mm/", "%", "ABCD-", "ISO-", "Art.-Nr. ", "x1-",
      "1\u00A0", "pump 1 ");

  @Test
  void everyBuiltInRegexStaysWithinLinearWorkOnAdversarialInputs() {
    for (String name : ExtractionPatterns.BUILT_INS.names()) {
      for (ExtractionPatterns.Rule rule : ExtractionPatterns.BUILT_INS.rules(name)) {
        for (String unit : UNITS) {
          String text = unit.repeat(40_000 / unit.length());
          long budget = (long) READS_PER_CHAR * text.length() + 4_096;
          assertThatCode(() -> RegexScan.scan(rule.pattern(), rule.valueGroup(), text, budget,
              RegexScan.Acceptor.WHOLE))
              .as("%s (%s) on '%s' repeated", name, rule.pattern(), unit)
              .doesNotThrowAnyException();
        }
      }
    }
  }
}
