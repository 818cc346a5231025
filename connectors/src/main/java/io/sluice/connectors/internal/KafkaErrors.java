package io.sluice.connectors.internal;

import java.util.Optional;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;

/**
 * Tells the Kafka producer errors that no retry can cure, for one record, from the ones that
 * pass (a broker away, a leader moving, a timeout). A relay that retried a permanent error
 * would hold everything behind the record forever.
 */
public final class KafkaErrors {

  private KafkaErrors() {}

  /**
   * The reason a record can never be written ({@code record-too-large}, {@code invalid-topic},
   * {@code serialization}, {@code not-authorized}, {@code invalid-record}), or empty when the
   * error may pass.
   */
  public static Optional<String> permanent(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException) {
        return Optional.of("record-too-large");
      }
      if (t instanceof InvalidTopicException) {
        return Optional.of("invalid-topic");
      }
      if (t instanceof SerializationException) {
        return Optional.of("serialization");
      }
      if (t instanceof TopicAuthorizationException) {
        return Optional.of("not-authorized");
      }
      if (t instanceof InvalidRecordException) {
        return Optional.of("invalid-record");
      }
    }
    return Optional.empty();
  }
}
