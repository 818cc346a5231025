package io.sluice.schemas;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Builds the dead letter of a raw input record: its bytes, key, headers, position and reason. */
public final class DeadLetters {

  private DeadLetters() {}

  public static DeadLetter of(byte[] key, byte[] value, Headers recordHeaders, String topic,
      int partition, long offset, DeadLetterType type, String reason, Instant failedAt) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (Header h : recordHeaders) {
      if (h.value() != null) {
        headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
      }
    }
    return DeadLetter.newBuilder()
        .setRaw(ByteBuffer.wrap(value == null ? new byte[0] : value))
        .setKey(key == null ? null : ByteBuffer.wrap(key))
        .setSourceTopic(topic)
        .setPartition(partition)
        .setOffset(offset)
        .setErrorType(type)
        .setReason(reason)
        .setHeaders(headers)
        .setFailedAt(failedAt)
        .build();
  }
}
