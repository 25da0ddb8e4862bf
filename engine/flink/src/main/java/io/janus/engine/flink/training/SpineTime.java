package io.janus.engine.flink.training;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** The spine's time column: ISO-8601 UTC text or epoch milliseconds (a number or numeric text). */
final class SpineTime {
  private SpineTime() {}

  /**
   * Epoch milliseconds of {@code value}.
   *
   * @throws IllegalArgumentException when it is neither
   */
  static long millis(Object value) {
    if (value instanceof Number n) {
      double d = n.doubleValue();
      if (d != Math.rint(d) || Double.isInfinite(d)) throw notATime(value);
      return n.longValue();
    }
    if (value instanceof CharSequence s) {
      String t = s.toString().trim();
      try {
        return Long.parseLong(t);
      } catch (NumberFormatException e) {
        try {
          return Instant.parse(t).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e2) {
          throw notATime(value);
        }
      }
    }
    throw notATime(value);
  }

  private static IllegalArgumentException notATime(Object value) {
    return new IllegalArgumentException(
        "value '" + value + "' is neither an ISO-8601 UTC time nor epoch milliseconds");
  }
}
