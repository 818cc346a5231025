package io.sluice.connectors.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class KafkaErrorsTest {

  @Test
  void errorsNoRetryCanCureArePermanentWhereverTheyAreWrapped() {
    assertThat(KafkaErrors.permanent(new RecordTooLargeException("2 MB"))).contains(
        "record-too-large");
    assertThat(KafkaErrors.permanent(new ExecutionException(new KafkaException(
        new InvalidTopicException("bad name"))))).contains("invalid-topic");
    assertThat(KafkaErrors.permanent(new TopicAuthorizationException("no ACL")))
        .contains("not-authorized");
  }

  @Test
  void errorsThatPassAreNot() {
    assertThat(KafkaErrors.permanent(new TimeoutException("broker away"))).isEmpty();
    assertThat(KafkaErrors.permanent(new NotLeaderOrFollowerException("moving"))).isEmpty();
    assertThat(KafkaErrors.permanent(new IllegalStateException("closed"))).isEmpty();
  }
}
