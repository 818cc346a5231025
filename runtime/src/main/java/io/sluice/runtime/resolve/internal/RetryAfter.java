package io.sluice.runtime.resolve.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Reads an HTTP {@code Retry-After} header: delay-seconds or an HTTP-date (RFC 9110 10.2.3). */
public final class RetryAfter {

  /** The longest wait honoured; a server asking for more is asked again after this. */
  public static final Duration MOST = Duration.ofMinutes(5);

  private RetryAfter() {}

  public static Optional<Duration> parse(String header, Clock clock) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    String value = header.trim();
    try {
      double seconds = Double.parseDouble(value);
      if (seconds < 0 || Double.isNaN(seconds)) {
        return Optional.empty();
      }
      return Optional.of(cap(Duration.ofMillis((long) (seconds * 1000))));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration wait = Duration.between(clock.instant(), at.toInstant());
        return Optional.of(cap(wait.isNegative() ? Duration.ZERO : wait));
      } catch (DateTimeParseException notDate) {
        return Optional.empty();
      }
    }
  }

  private static Duration cap(Duration d) {
    return d.compareTo(MOST) > 0 ? MOST : d;
  }
}
