package io.sluice.lab.soak.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The events soak devices publish, numbered: valid operator notes, restricted notes carrying a
 * canary string, and bad payloads of four kinds in turn. Every payload, bad ones included, carries
 * its event id in plain ASCII ({@code "eventId":"<id>"}), so the id can be read back from the raw
 * bytes of a dead letter or an input record.
 */
public final class SoakEvents {

  /** Marks restricted text; no cloud topic may ever hold it. */
  public static final String CANARY = "CANARY-";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern EVENT_ID = Pattern.compile("\"eventId\":\"([A-Za-z0-9_.-]{1,64})\"");
  private static final Kind[] BAD = {Kind.MALFORMED, Kind.OVERSIZED, Kind.INVALID_UTF8,
      Kind.WRONG_SCHEMA};

  /** What an event is, and whether the gateway must dead-letter it. */
  public enum Kind {
    NOTE(false), RESTRICTED(false), MALFORMED(true), OVERSIZED(true), INVALID_UTF8(true),
    WRONG_SCHEMA(true);

    private final boolean bad;

    Kind(boolean bad) {
      this.bad = bad;
    }

    public boolean bad() {
      return bad;
    }
  }

  /** One event: its number, id, kind, MQTT topic and payload. */
  public record Event(long n, String id, Kind kind, String topic, byte[] payload) {}

  private final String idPrefix;
  private final List<String> texts;
  private final int devices;
  private final double badShare;
  private final double restrictedShare;
  private final int oversizedBytes;
  private final RandomGenerator random;
  private final Clock clock;
  private long bad;

  /**
   * @param idPrefix prefix of every event id (letters, digits, '-', '_' or '.')
   * @param maxPayloadBytes the gateway's payload limit; oversized payloads exceed it by 1 KiB
   */
  public SoakEvents(String idPrefix, List<String> texts, int devices, double badShare,
      double restrictedShare, long maxPayloadBytes, RandomGenerator random, Clock clock) {
    if (!idPrefix.matches("[A-Za-z0-9_.-]{1,32}")) {
      throw new IllegalArgumentException("id prefix '" + idPrefix
          + "' must be 1 to 32 letters, digits, '-', '_' or '.'");
    }
    if (texts.isEmpty()) {
      throw new IllegalArgumentException("no texts to publish");
    }
    this.idPrefix = idPrefix;
    this.texts = List.copyOf(texts);
    this.devices = devices;
    this.badShare = badShare;
    this.restrictedShare = restrictedShare;
    this.oversizedBytes = (int) Math.min(Integer.MAX_VALUE - 1, maxPayloadBytes + 1024);
    this.random = random;
    this.clock = clock;
  }

  public String idPrefix() {
    return idPrefix;
  }

  /** The event numbered {@code n}; call with n = 0, 1, 2, ... in order. */
  public Event next(long n) {
    String id = idPrefix + n;
    String topic = "soak/dev-" + (n % devices) + "/notes";
    double roll = random.nextDouble();
    Kind kind;
    long badIndex = bad;
    if (roll < badShare) {
      kind = BAD[(int) (bad++ % BAD.length)];
    } else if (roll < badShare + restrictedShare) {
      kind = Kind.RESTRICTED;
    } else {
      kind = Kind.NOTE;
    }
    String text = texts.get(random.nextInt(texts.size()));
    return new Event(n, id, kind, topic, payload(id, kind, text, badIndex / BAD.length));
  }

  /** {@code round}: how many times the bad kinds went round; wrong-schema payloads alternate. */
  private byte[] payload(String id, Kind kind, String text, long round) {
    String head = "{\"eventId\":\"" + id + "\"";
    return switch (kind) {
      case NOTE, RESTRICTED -> {
        ObjectNode node = JSON.createObjectNode();
        node.put("eventId", id);
        node.put("timestamp", clock.millis());
        if (kind == Kind.RESTRICTED) {
          node.put("text", text + " " + CANARY + id);
          node.put("restricted", true);
          node.put("badge", CANARY + id);
        } else {
          node.put("text", text);
        }
        yield node.toString().getBytes(StandardCharsets.UTF_8);
      }
      case MALFORMED -> ascii(head + ",\"text\":\"cut off mid");
      case OVERSIZED -> ascii(head + ",\"text\":\"" + "x".repeat(oversizedBytes) + "\"}");
      case INVALID_UTF8 -> {
        byte[] start = ascii(head + ",\"text\":\"bad ");
        byte[] out = new byte[start.length + 4];
        System.arraycopy(start, 0, out, 0, start.length);
        out[start.length] = (byte) 0xC3;
        out[start.length + 1] = (byte) 0x28;
        out[start.length + 2] = '"';
        out[start.length + 3] = '}';
        yield out;
      }
      case WRONG_SCHEMA -> round % 2 == 0
          ? ascii(head + ",\"text\":12345}")
          : ascii(head + ",\"note\":\"the text field is missing\"}");
    };
  }

  /** The event id written in a payload's raw bytes, if any. */
  public static Optional<String> idIn(byte[] raw) {
    if (raw == null) {
      return Optional.empty();
    }
    // Latin-1 maps every byte to one char, so invalid UTF-8 cannot hide the ASCII id.
    Matcher m = EVENT_ID.matcher(new String(raw, 0, Math.min(raw.length, 512),
        StandardCharsets.ISO_8859_1));
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
