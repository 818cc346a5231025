package io.sluice.operators.decode;

import io.sluice.schemas.DeadLetterType;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Checks every decoder applies first: size, emptiness and UTF-8 validity. */
public final class PayloadChecks {

  private PayloadChecks() {}

  /** Returns the payload as text, or fails with OVERSIZED, MALFORMED or INVALID_UTF8. */
  public static String text(byte[] payload, long maxBytes) throws DecodeException {
    if (payload == null || payload.length == 0) {
      throw new DecodeException(DeadLetterType.MALFORMED, "empty payload");
    }
    if (payload.length > maxBytes) {
      throw new DecodeException(DeadLetterType.OVERSIZED,
          "payload is " + payload.length + " bytes, more than the limit of " + maxBytes
              + " (limits.maxPayloadBytes)");
    }
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(payload);
    try {
      return utf8.decode(in).toString();
    } catch (CharacterCodingException e) {
      throw new DecodeException(DeadLetterType.INVALID_UTF8,
          "payload is not valid UTF-8 (first bad byte at offset " + firstBadByte(payload) + ")");
    }
  }

  private static int firstBadByte(byte[] payload) {
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(payload);
    java.nio.CharBuffer out = java.nio.CharBuffer.allocate(payload.length);
    java.nio.charset.CoderResult result = utf8.decode(in, out, true);
    return result.isError() ? in.position() : payload.length;
  }
}
