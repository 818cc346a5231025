package io.sluice.operators.route;

import static io.sluice.operators.route.TestRecord.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExpressionTest {

  static boolean eval(String expression, RecordView record) {
    return Expression.parse(expression).test(record);
  }

  @Test
  void novelOrLowConfidence() {
    Expression e = Expression.parse("novel or confidence < 0.7");
    assertThat(e.test(record().novel(true).confidence(0.95))).isTrue();
    assertThat(e.test(record().novel(false).confidence(0.5))).isTrue();
    assertThat(e.test(record().novel(false).confidence(0.7))).isFalse();
    assertThat(e.test(record())).isFalse();
    assertThat(e.identifiers()).containsExactly("novel", "confidence");
    assertThat(e.text()).isEqualTo("novel or confidence < 0.7");
  }

  @Test
  void missingValuesMakeEveryComparisonFalse() {
    TestRecord empty = record();
    assertThat(eval("confidence < 0.7", empty)).isFalse();
    assertThat(eval("confidence >= 0.7", empty)).isFalse();
    assertThat(eval("label == 'x'", empty)).isFalse();
    assertThat(eval("label != 'x'", empty)).isFalse();
    assertThat(eval("label in ['x']", empty)).isFalse();
    assertThat(eval("label not in ['x']", empty)).isFalse();
    assertThat(eval("payload.zone == 'B'", empty)).isFalse();
    assertThat(eval("anomaly == false", empty)).isFalse();
    assertThat(eval("novel", empty)).isFalse();
    assertThat(eval("text ~ '.*'", empty)).isFalse();
    // not only negates: the comparison inside is false, so its negation is true
    assertThat(eval("not (confidence < 0.7)", empty)).isTrue();
  }

  @Test
  void labelAndPayloadMembership() {
    Expression e = Expression.parse(
        "label == 'electrical' and payload.priority in ['high', 'urgent']");
    assertThat(e.test(record().label("electrical").attribute("priority", "urgent"))).isTrue();
    assertThat(e.test(record().label("electrical").attribute("priority", "low"))).isFalse();
    assertThat(e.test(record().label("mechanical").attribute("priority", "high"))).isFalse();
    assertThat(e.test(record().label("electrical"))).isFalse();
    assertThat(e.identifiers()).containsExactly("label", "payload.priority");
  }

  @Test
  void payloadValuesCompareAsNumbersWhenBothSidesAreNumbers() {
    // as text "12" < "3"; as numbers it is not
    assertThat(eval("payload.count > 3", record().attribute("count", "12"))).isTrue();
    assertThat(eval("payload.count == 12", record().attribute("count", "12.0"))).isTrue();
    assertThat(eval("payload.count == 12", record().attribute("count", " 12 "))).isTrue();
    assertThat(eval("payload.code == '007'", record().attribute("code", "7"))).isTrue();
    assertThat(eval("attributes.count > 3", record().attribute("count", "12"))).isTrue();
    assertThat(eval("payload.a < payload.b",
        record().attribute("a", "9").attribute("b", "10"))).isTrue();
    assertThat(eval("payload.serial-no == 'S1' and payload.sensor.unit == 'bar'",
        record().attribute("serial-no", "S1").attribute("sensor.unit", "bar"))).isTrue();
  }

  @Test
  void payloadTextThatIsNotANumber() {
    TestRecord r = record().attribute("priority", "high");
    assertThat(eval("payload.priority > 3", r)).isFalse();
    assertThat(eval("payload.priority < 3", r)).isFalse();
    assertThat(eval("payload.priority == 3", r)).isFalse();
    assertThat(eval("payload.priority != 3", r)).isTrue();
    assertThat(eval("payload.priority == 'high'", r)).isTrue();
    assertThat(eval("payload.priority == 'HIGH'", r)).isFalse();
    assertThat(eval("payload.priority ~ '^hi'", r)).isTrue();
  }

  @Test
  void payloadValueAsConditionIsTrueOnlyForTheTextTrue() {
    assertThat(eval("payload.urgent", record().attribute("urgent", "TRUE"))).isTrue();
    assertThat(eval("payload.urgent == true", record().attribute("urgent", "true"))).isTrue();
    assertThat(eval("payload.urgent", record().attribute("urgent", "yes"))).isFalse();
    assertThat(eval("payload.urgent", record().attribute("urgent", "1"))).isFalse();
    assertThat(eval("not payload.urgent", record().attribute("urgent", "false"))).isTrue();
  }

  @Test
  void regexFindsAnywhereAndKeepsBackslashes() {
    TestRecord r = record().text("pressure at 12 bar, valve leaking");
    assertThat(eval("text ~ 'leak(s|ing)?'", r)).isTrue();
    assertThat(eval("text ~ '\\d+ bar'", r)).isTrue();
    assertThat(eval("text ~ \"^pressure\"", r)).isTrue();
    assertThat(eval("text ~ '^valve'", r)).isFalse();
    assertThat(eval("text ~ '(?i)VALVE'", r)).isTrue();
  }

  @Test
  void catastrophicRegexIsCutOffByItsWorkBudgetAndCountsAsNoMatch() {
    // (a+)+b backtracks exponentially on a's without a b; the budget ends it
    TestRecord r = record().text("a".repeat(5_000));
    assertThat(eval("text ~ '(a+)+b'", r)).isFalse();
    assertThat(eval("text ~ '(a+)+b' or text ~ 'a{10}'", r)).isTrue();
  }

  @Test
  void notInAndBooleans() {
    assertThat(eval("label not in ['a', 'b']", record().label("c"))).isTrue();
    assertThat(eval("label not in ['a', 'b']", record().label("a"))).isFalse();
    assertThat(eval("novel == true", record().novel(true))).isTrue();
    assertThat(eval("restricted != false", record().restricted(true))).isTrue();
    assertThat(eval("anomaly == false", record().anomaly(false))).isTrue();
    assertThat(eval("true", record())).isTrue();
    assertThat(eval("false or restricted", record())).isFalse();
  }

  @Test
  void riskIsTheLargestOfItsPartsAndZeroWithoutAny() {
    assertThat(eval("risk > 0.55 and risk < 0.65", record().confidence(0.4))).isTrue();
    assertThat(eval("risk == 0.9", record().confidence(0.95).anomalyScore(0.9))).isTrue();
    assertThat(eval("risk == 1", record().confidence(0.99).novel(true))).isTrue();
    assertThat(eval("risk > 0.05", record().confidence(0.99).novel(false))).isFalse();
    assertThat(eval("risk == 0", record())).isTrue();
  }

  @Test
  void extractedFieldsAndTheirConfidence() {
    TestRecord r = record().field("part_number", "4471-220", 0.45);
    assertThat(eval("fields.part_number == '4471-220'", r)).isTrue();
    assertThat(eval("fieldConfidence.part_number < 0.5", r)).isTrue();
    assertThat(eval("fieldConfidence.serial < 0.5", r)).isFalse();
    assertThat(eval("fields.serial == 'x'", r)).isFalse();
  }

  @Test
  void recordFieldsOfEveryType() {
    TestRecord r = record().kind("SENSOR").source("sensors").device("press-4")
        .metric("temperature").value(-7.5).tokens(120).novelty(0.31);
    assertThat(eval("kind == 'SENSOR' and source == 'sensors' and device ~ '^press-'", r))
        .isTrue();
    assertThat(eval("metric in ['temperature', 'pressure'] and value < -5", r)).isTrue();
    assertThat(eval("tokens > 100 and novelty >= 3.1e-1", r)).isTrue();
    assertThat(eval("value == -7.5 and value > -.8e1", r)).isTrue();
  }

  @Test
  void precedenceIsNotThenAndThenOr() {
    TestRecord r = record().novel(false).restricted(true).anomaly(false);
    assertThat(eval("novel or restricted and anomaly", r)).isFalse();
    assertThat(eval("(novel or restricted) and not anomaly", r)).isTrue();
    assertThat(eval("not novel and restricted", r)).isTrue();
    assertThat(eval("not (novel or restricted)", r)).isFalse();
    assertThat(eval("not not restricted", r)).isTrue();
  }

  @Test
  void stringsTakeEitherQuoteAndEscapeTheirQuote() {
    assertThat(eval("label == \"it's\"", record().label("it's"))).isTrue();
    assertThat(eval("label == 'it\\'s'", record().label("it's"))).isTrue();
    assertThat(eval("label == 'a\\\\b'", record().label("a\\b"))).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', quoteCharacter = '`', textBlock = """
      confidance < 0.7              ; 1  ; unknown identifier 'confidance' ; did you mean 'confidence'?
      novel OR confidence < 0.7     ; 7  ; unexpected 'OR'         ; keywords are lower case: or
      label < 3                     ; 1  ; '<' compares numbers, but label is text ; text compares with
      restricted == 'x'             ; 15 ; cannot compare restricted (true/false) with 'x' (text) ; compare it with true or false
      confidence < '0.7'            ; 14 ; '<' compares numbers            ; drop the quotes: 0.7
      label == 3                    ; 10 ; cannot compare label (text) with 3 (a number) ; quote it to compare text: '3'
      confidence == 'high'          ; 15 ; cannot compare confidence       ; ``
      confidence                    ; 1  ; confidence is a number, not a condition ; confidence < 0.7
      label or novel                ; 1  ; label is text, not a condition  ; label == '...'
      0.7                           ; 1  ; 0.7 is a number, not a condition ; ``
      text ~ 'leak(ing'             ; 17 ; invalid regular expression      ; Java regex
      text ~ label                  ; 8  ; '~' needs a quoted regular expression ; ``
      confidence ~ '0\\.7'          ; 1  ; '~' matches text, but confidence is a number ; ``
      confidence = 0.7              ; 12 ; single '=' is not an operator   ; use == to compare
      novel && anomaly              ; 7  ; '&&' is not an operator         ; use and
      novel || anomaly              ; 7  ; '||' is not an operator         ; use or
      !novel                        ; 1  ; '!' is not an operator          ; use not
      label <> 'a'                  ; 7  ; '<>' is not an operator         ; use !=
      value > 5 - 3                 ; 11 ; '-' is not an operator          ; no arithmetic
      confidence < 0.7 novel        ; 18 ; unexpected 'novel'              ; join conditions with and / or
      (novel or anomaly             ; 18 ; expected ')' to close the '(' at column 1 ; ``
      novel)                        ; 6  ; ')' has no matching '('         ; ``
      novel and                     ; 10 ; the expression ends where a value or condition was expected ; ``
      ()                            ; 2  ; expected a value or condition, found ')' ; the parentheses are empty
      len(text) > 3                 ; 1  ; function calls are not supported ; ``
      kind == 'text'                ; 9  ; kind is 'TEXT' or 'SENSOR', never 'text' ; did you mean 'TEXT'?
      kind in ['TEXT', 'ALARM']     ; 18 ; never 'ALARM'                   ; ``
      0.5 < confidence < 0.7        ; 18 ; comparisons cannot be chained   ; 0.5 < confidence and confidence < 0.7
      label in 'a'                  ; 10 ; 'in' needs a list in [ ]        ; ``
      label in [a]                  ; 11 ; lists hold only numbers, quoted strings, true and false ; quote text: 'a'
      label in ['a' 'b']            ; 15 ; expected ',' or ']' in the list ; ``
      label in ['a', 3]             ; 16 ; cannot compare label (text) with 3 ; ``
      [1] == 1                      ; 1  ; a list can only follow 'in'     ; ``
      payload == 'x'                ; 1  ; 'payload' needs a field name    ; payload.priority
      payloads.priority == 'x'      ; 1  ; unknown identifier 'payloads.priority' ; did you mean 'payload.priority'?
      payloads == 'x'               ; 1  ; unknown identifier 'payloads'   ; did you mean 'payload.<name>'?
      label.x == 'a'                ; 1  ; 'label' has no fields           ; ``
      label == 'unterminated        ; 10 ; string starting here is not closed ; end it with '
      payload.size > 3mm            ; 16 ; malformed number '3mm'          ; quote it
      novel $ anomaly               ; 7  ; unexpected character '$'        ; ``
      zzzz == 1                     ; 1  ; unknown identifier 'zzzz'       ; known identifiers: confidence
      """)
  void staticErrorsNameTheColumnAndGiveAHint(String expression, int column, String problem,
      String hint) {
    ExpressionException e = catchThrowableOfType(ExpressionException.class,
        () -> Expression.parse(expression));
    assertThat(e).as("expected a parse error for %s", expression).isNotNull();
    assertThat(e.column()).as(e.getMessage()).isEqualTo(column);
    assertThat(e.problem()).as(e.getMessage()).contains(problem);
    assertThat(e.hint()).as(e.getMessage()).contains(hint == null ? "" : hint);
    assertThat(e.expression()).isEqualTo(expression);
    assertThat(e.getMessage()).contains("column " + column);
  }

  @Test
  void emptyAndOversizedAndDeeplyNestedExpressionsAreRefused() {
    assertThatThrownBy(() -> Expression.parse("  ")).isInstanceOf(ExpressionException.class)
        .hasMessageContaining("empty condition");
    assertThatThrownBy(() -> Expression.parse("novel or ".repeat(600) + "novel"))
        .isInstanceOf(ExpressionException.class).hasMessageContaining("longer than 4096");
    assertThatThrownBy(() -> Expression.parse("(".repeat(100) + "novel" + ")".repeat(100)))
        .isInstanceOf(ExpressionException.class).hasMessageContaining("nests more than 64");
    assertThatThrownBy(() -> Expression.parse("not ".repeat(100) + "novel"))
        .isInstanceOf(ExpressionException.class).hasMessageContaining("nests more than 64");
  }

  @Test
  void wellNestedExpressionsWithinTheLimitParse() {
    assertThat(eval("(".repeat(60) + "novel" + ")".repeat(60), record().novel(true))).isTrue();
  }

  @Test
  void knownIdentifiersListsThePlainOnesThenTheDottedFamilies() {
    assertThat(Expression.knownIdentifiers()).startsWith("confidence", "novelty", "novel")
        .contains("risk", "anomalyScore", "payload.<name>", "fieldConfidence.<name>",
            "generate.<name>", "generate.valid", "generate.confidence")
        .hasSize(15 + 5 + 9);
  }

  @Test
  void generateFieldsHaveTheirOwnTypesAndJsonPropertiesReadAsText() {
    RecordView record = new RecordView() {
      @Override public Double confidence() { return null; }
      @Override public Double novelty() { return null; }
      @Override public Boolean novel() { return null; }
      @Override public String label() { return null; }
      @Override public boolean restricted() { return false; }
      @Override public Integer tokens() { return null; }
      @Override public Double anomalyScore() { return null; }
      @Override public Boolean anomaly() { return null; }
      @Override public String kind() { return "TEXT"; }
      @Override public String source() { return "orders"; }
      @Override public String device() { return "m1"; }
      @Override public String metric() { return null; }
      @Override public Double value() { return null; }
      @Override public String text() { return "pump leaking"; }
      @Override public String attribute(String name) { return null; }
      @Override public String field(String name) { return null; }
      @Override public Double fieldConfidence(String name) { return null; }

      @Override
      public Object generated(String name) {
        return switch (name) {
          case "valid" -> false;
          case "confidence" -> 0.4;
          case "urgency" -> "high";
          case "hours" -> "3";
          default -> null;
        };
      }
    };
    assertThat(Expression.parse("not generate.valid or generate.confidence < 0.6").test(record))
        .isTrue();
    assertThat(Expression.parse("generate.urgency == 'high' and generate.hours > 2")
        .test(record)).isTrue();
    assertThat(Expression.parse("generate.asset == 'pump'").test(record)).isFalse();
    assertThatThrownBy(() -> Expression.parse("generate.valid > 1"))
        .isInstanceOf(ExpressionException.class);
    assertThatThrownBy(() -> Expression.parse("generate.finishReason < 3"))
        .isInstanceOf(ExpressionException.class);
  }
}
