package io.sluice.operators.route;

import java.util.HashMap;
import java.util.Map;

/** A record view for tests, built fluently; unset values are missing (null). */
class TestRecord implements RecordView {

  Double confidence;
  Double novelty;
  Boolean novel;
  String label;
  boolean restricted;
  Integer tokens;
  Double anomalyScore;
  Boolean anomaly;
  String kind;
  String source;
  String device;
  String metric;
  Double value;
  String text;
  final Map<String, String> attributes = new HashMap<>();
  final Map<String, String> fields = new HashMap<>();
  final Map<String, Double> fieldConfidences = new HashMap<>();

  static TestRecord record() {
    return new TestRecord();
  }

  TestRecord confidence(Double v) {
    confidence = v;
    return this;
  }

  TestRecord novelty(Double v) {
    novelty = v;
    return this;
  }

  TestRecord novel(Boolean v) {
    novel = v;
    return this;
  }

  TestRecord label(String v) {
    label = v;
    return this;
  }

  TestRecord restricted(boolean v) {
    restricted = v;
    return this;
  }

  TestRecord tokens(Integer v) {
    tokens = v;
    return this;
  }

  TestRecord anomalyScore(Double v) {
    anomalyScore = v;
    return this;
  }

  TestRecord anomaly(Boolean v) {
    anomaly = v;
    return this;
  }

  TestRecord kind(String v) {
    kind = v;
    return this;
  }

  TestRecord source(String v) {
    source = v;
    return this;
  }

  TestRecord device(String v) {
    device = v;
    return this;
  }

  TestRecord metric(String v) {
    metric = v;
    return this;
  }

  TestRecord value(Double v) {
    value = v;
    return this;
  }

  TestRecord text(String v) {
    text = v;
    return this;
  }

  TestRecord attribute(String name, String v) {
    attributes.put(name, v);
    return this;
  }

  TestRecord field(String name, String v, double confidence) {
    fields.put(name, v);
    fieldConfidences.put(name, confidence);
    return this;
  }

  @Override
  public Double confidence() {
    return confidence;
  }

  @Override
  public Double novelty() {
    return novelty;
  }

  @Override
  public Boolean novel() {
    return novel;
  }

  @Override
  public String label() {
    return label;
  }

  @Override
  public boolean restricted() {
    return restricted;
  }

  @Override
  public Integer tokens() {
    return tokens;
  }

  @Override
  public Double anomalyScore() {
    return anomalyScore;
  }

  @Override
  public Boolean anomaly() {
    return anomaly;
  }

  @Override
  public String kind() {
    return kind;
  }

  @Override
  public String source() {
    return source;
  }

  @Override
  public String device() {
    return device;
  }

  @Override
  public String metric() {
    return metric;
  }

  @Override
  public Double value() {
    return value;
  }

  @Override
  public String text() {
    return text;
  }

  @Override
  public String attribute(String name) {
    return attributes.get(name);
  }

  @Override
  public String field(String name) {
    return fields.get(name);
  }

  @Override
  public Double fieldConfidence(String name) {
    return fieldConfidences.get(name);
  }

  @Override
  public String toString() {
    return "TestRecord[confidence=" + confidence + ", novel=" + novel + ", label=" + label
        + ", restricted=" + restricted + ", anomaly=" + anomaly + ", anomalyScore="
        + anomalyScore + ", kind=" + kind + ", attributes=" + attributes + ", fields=" + fields
        + "]";
  }
}
