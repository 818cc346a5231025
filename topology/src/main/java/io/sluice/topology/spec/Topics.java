package io.sluice.topology.spec;

/** Kafka topic names of a topology, all under one namespace. */
public record Topics(String namespace) {

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

  /** Alerts also published over MQTT (route {@code mqtt:<topic>}). */
  public String alerts() {
    return namespace + ".alerts";
  }

  /** Verdicts and feedback from the cloud (compacted). */
  public String feedback() {
    return namespace + ".feedback";
  }
}
