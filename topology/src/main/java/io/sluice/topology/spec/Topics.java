package io.sluice.topology.spec;

/** Kafka topic names of a topology, all under one namespace. */
public record Topics(String namespace) {

  /** The topics of the namespace {@code topic} is in: {@code a.b.forward} is in {@code a.b}. */
  public static Topics namespaceOf(String topic) {
    return new Topics(topic.contains(".") ? topic.substring(0, topic.lastIndexOf('.')) : topic);
  }

  public String input(String source) {
    return namespace + ".in." + source;
  }

  /** Records kept on the gateway (route {@code local}). */
  public String results() {
    return namespace + ".results";
  }

  public String deadLetters() {
    return namespace + ".dlq";
  }

  /** Records for the cloud (route {@code cloud}). */
  public String forward() {
    return namespace + ".forward";
  }

  /** Records for a person to look at (route {@code review}). */
  public String review() {
    return namespace + ".review";
  }

  /** People's decisions on review items (compacted, keyed by item id). */
  public String reviewDecisions() {
    return namespace + ".review-decisions";
  }

  /** Who decided what and when, for auditors (append-only). */
  public String audit() {
    return namespace + ".audit";
  }

  /** Alerts also published over MQTT (route {@code mqtt:<topic>}). */
  public String alerts() {
    return namespace + ".alerts";
  }

  /** Feedback from the cloud: labels and examples to learn (compacted, keyed by event id). */
  public String feedback() {
    return namespace + ".feedback";
  }

  /** Per-window summaries of normal sensor readings (sent to the cloud instead of readings). */
  public String summaries() {
    return namespace + ".summaries";
  }

  /** Cloud verdicts on forwarded records. */
  public String verdicts() {
    return namespace + ".verdicts";
  }
}
