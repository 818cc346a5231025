package io.sluice.operators.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PatternExtractorTest {

  static final PatternExtractor BUILT_INS = PatternExtractor.builder()
      .builtIns(PatternExtractor.builtInPatterns()).build();

  static List<String> values(PatternExtractor extractor, String name, String text) {
    return extractor.extract(text).stream().filter(e -> e.name().equals(name))
        .map(Extraction::value).toList();
  }

  @Test
  void builtInsAreMeasurementPartNumberAndEquipmentId() {
    assertThat(PatternExtractor.builtInPatterns())
        .containsExactly("measurement", "part_number", "equipment_id");
  }

  @ParameterizedTest
  @ValueSource(strings = {"12.5 bar", "3mm", "240 V", "75%", "1,200 rpm", "-5 °C", "+3 dB",
      "0.25 mm", "12,5 bar", "4.2 mm/s", "35 Nm", "15 l/min", "3 kWh", "50 Hz", "2.2 kΩ",
      "40 m³/h", "71.5 °F", "500 ms", "1.5 MPa", "85 dB(A)", "10\u00A0kV", "12,000.5 bar"})
  void measurements(String m) {
    assertThat(values(BUILT_INS, "measurement", "reading " + m + " at the inlet"))
        .containsExactly(m);
    assertThat(values(BUILT_INS, "measurement", "(" + m + ")")).containsExactly(m);
  }

  @ParameterizedTest
  @ValueSource(strings = {"2026-11-22", "P/N 4471-220", "line 7", "10:30 h", "version 3.2",
      "batch 12 bars", "3 minx", "4471-220 mm", "mA", "box 5 Ax", "5mmx"})
  void notMeasurements(String text) {
    assertThat(values(BUILT_INS, "measurement", text)).isEmpty();
  }

  @Test
  void aMeasurementTakesTheLongestUnit() {
    assertThat(values(BUILT_INS, "measurement", "vibration 4.2 mm/s, gap 3 m, 5 mbar"))
        .containsExactly("4.2 mm/s", "3 m", "5 mbar");
  }

  @Test
  void partNumbersWithAPrefixOrAnUnmistakableShape() {
    assertThat(values(BUILT_INS, "part_number", "replaced P/N 4471-220 and 4471-220-A, also"
        + " part no. 55-0012, Art.-Nr. X7-33, PN: AB-1200/3., article no 9-1, part # 7A"))
        .containsExactly("4471-220", "4471-220-A", "55-0012", "X7-33", "AB-1200/3", "9-1", "7A");
    Extraction e = BUILT_INS.extract("P/N 4471-220").stream()
        .filter(x -> x.name().equals("part_number")).findFirst().orElseThrow();
    assertThat(e.start()).isEqualTo(4);
    assertThat(e.end()).isEqualTo(12);
  }

  @ParameterizedTest
  @ValueSource(strings = {"2026-11-22", "4471-220", "part of the line", "PN junction",
      "1990-12-01-02", "P/N", "12.5 bar"})
  void notPartNumbers(String text) {
    assertThat(values(BUILT_INS, "part_number", text)).isEmpty();
  }

  @Test
  void aPrefixedPartNumberAndTheBareShapeAreOneExtraction() {
    assertThat(BUILT_INS.extract("P/N 4471-220-A")).filteredOn(e -> e.name()
        .equals("part_number")).extracting(Extraction::value, Extraction::start)
        .containsExactly(tuple("4471-220-A", 4));
  }

  @Test
  void aCustomPartNumberPatternReplacesTheDefault() {
    PatternExtractor custom = PatternExtractor.builder()
        .partNumberPattern("\\bSKU-(?<value>\\d{5})\\b").build();
    assertThat(custom.extract("SKU-12345 and P/N 4471-220"))
        .extracting(Extraction::name, Extraction::value, Extraction::start, Extraction::end,
            Extraction::confidence)
        .containsExactly(tuple("part_number", "12345", 4, 9,
            PatternExtractor.CUSTOM_PATTERN_CONFIDENCE));
  }

  @Test
  void aCustomPatternNamedPartNumberStandsInForTheBuiltIn() {
    PatternExtractor custom = PatternExtractor.builder().builtIn("measurement")
        .pattern("part_number", "\\bSKU-(?<value>\\d{5})\\b").build();
    assertThat(custom.extract("SKU-12345 and P/N 4471-220"))
        .extracting(Extraction::name, Extraction::value, Extraction::confidence)
        .containsExactly(tuple("part_number", "12345",
            PatternExtractor.CUSTOM_PATTERN_CONFIDENCE));
  }

  @ParameterizedTest
  @ValueSource(strings = {"P-101", "TT-4021", "FV-12A", "pump 3", "Pump #3", "line 7",
      "Line 12A", "compressor no. 2", "Pump No. 4", "heat exchanger 2B", "conveyor 5"})
  void equipmentIds(String id) {
    assertThat(values(BUILT_INS, "equipment_id", "check " + id + ", then report."))
        .containsExactly(id);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ISO-9001", "UTF-8", "pipeline 3", "pumps 3", "line 7.5",
      "4471-220-A", "P/N 4471-220", "pump", "linear 5"})
  void notEquipmentIds(String text) {
    assertThat(values(BUILT_INS, "equipment_id", text)).isEmpty();
  }

  @Test
  void namesMayOverlapButAreSortedByPosition() {
    assertThat(BUILT_INS.extract("pump 3 bar"))
        .extracting(Extraction::name, Extraction::value, Extraction::start, Extraction::end)
        .containsExactly(tuple("equipment_id", "pump 3", 0, 6),
            tuple("measurement", "3 bar", 5, 10));
  }

  @Test
  void aCustomPatternReportsItsValueGroupOrTheWholeMatch() {
    PatternExtractor e = PatternExtractor.builder()
        .pattern("work_order", "WO[- ]?(?<value>\\d{4,8})")
        .pattern("shift", "\\bshift [A-C]\\b").build();
    assertThat(e.extract("WO-47110 done on shift B"))
        .extracting(Extraction::name, Extraction::value, Extraction::start, Extraction::end)
        .containsExactly(tuple("work_order", "47110", 3, 8), tuple("shift", "shift B", 17, 24));
  }

  @Test
  void gazetteersMatchWholeWordsIgnoringCaseAndPreferTheLongestTerm() {
    PatternExtractor e = PatternExtractor.builder()
        .gazetteer("component", List.of("valve", "relief valve", "pressure relief valve",
            "O-ring", "bearing"))
        .build();
    List<Extraction> found = e.extract("The Pressure  Relief Valve leaks; replaced the o-ring,"
        + " valves and bearings are fine, one valve is not.");
    assertThat(found).extracting(Extraction::value, Extraction::start, Extraction::end)
        .containsExactly(tuple("pressure relief valve", 4, 26), tuple("O-ring", 47, 53),
            tuple("valve", 89, 94));
    assertThat(found).allSatisfy(x ->
        assertThat(x.confidence()).isEqualTo(PatternExtractor.GAZETTEER_CONFIDENCE));
  }

  @Test
  void overlappingGazetteerTermsResolveLeftmostThenLongestWhateverTheirOrder() {
    List<String> terms = List.of("cooling water", "water pump", "pump");
    PatternExtractor forward = PatternExtractor.builder().gazetteer("c", terms).build();
    PatternExtractor backward = PatternExtractor.builder()
        .gazetteer("c", List.of("pump", "water pump", "cooling water")).build();
    String text = "cooling water pump failed";
    assertThat(forward.extract(text)).extracting(Extraction::value)
        .containsExactly("cooling water", "pump");
    assertThat(backward.extract(text)).isEqualTo(forward.extract(text));
  }

  @Test
  void confidenceIsFixedPerKindOfSource() {
    PatternExtractor e = PatternExtractor.builder().builtIn("measurement")
        .pattern("code", "C\\d{3}").gazetteer("fault", List.of("overheating")).build();
    assertThat(e.extract("C123 overheating at 95 °C"))
        .extracting(Extraction::name, Extraction::confidence)
        .containsExactly(tuple("code", 0.9), tuple("fault", 0.95), tuple("measurement", 0.8));
    assertThat(e.names()).containsExactly("measurement", "code", "fault");
  }

  @Test
  void everyConfigurationProblemIsReportedAtOnce() {
    assertThatThrownBy(() -> PatternExtractor.builder()
        .builtIn("measurment")
        .pattern("part_number", "x")
        .pattern("bad name", "x")
        .pattern("broken", "(x")
        .pattern("empty", "x?")
        .gazetteer("nothing", List.of())
        .gazetteer("blank", List.of("valve", " "))
        .gazetteer("broken", List.of("x"))
        .builtIn("part_number")
        .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown built-in extraction pattern 'measurment'; did you mean"
            + " 'measurement'?")
        .hasMessageContaining("custom extraction pattern 'part_number' has the same name as a"
            + " built-in pattern")
        .hasMessageContaining("custom extraction pattern name 'bad name' must start with")
        .hasMessageContaining("custom extraction pattern 'broken' has an invalid regex")
        .hasMessageContaining("custom extraction pattern 'empty' matches the empty text")
        .hasMessageContaining("gazetteer 'nothing' has no terms")
        .hasMessageContaining("gazetteer 'blank' term 1 is blank")
        .hasMessageContaining("gazetteer 'broken' has the same name as a custom extraction"
            + " pattern");
  }

  @Test
  void aCatastrophicCustomPatternFailsWithItsName() {
    PatternExtractor e = PatternExtractor.builder().pattern("bad", "(x+)+y").build();
    assertThatThrownBy(() -> e.extract("x".repeat(5_000)))
        .isInstanceOf(ExtractionException.class)
        .hasMessageContaining("extraction pattern 'bad' needed more than")
        .satisfies(ex -> assertThat(((ExtractionException) ex).pattern()).isEqualTo("bad"));
  }

  @Test
  void extractionsRejectImpossibleSpansAndConfidences() {
    assertThatThrownBy(() -> new Extraction("x", "v", 3, 3, 0.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Extraction("x", "v", 0, 1, 1.5))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
