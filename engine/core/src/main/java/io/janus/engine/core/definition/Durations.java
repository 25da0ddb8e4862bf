package io.janus.engine.core.definition;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and formats the compact durations of definitions: {@code 500ms}, {@code 30s}, {@code 5m},
 * {@code 1h}, {@code 7d}.
 */
public final class Durations {
  private static final Pattern PATTERN = Pattern.compile("^(\\d+)\\s*(ms|s|m|h|d)$");

  private Durations() {}

  /** Parses a compact duration; fails with a message naming the bad text. */
  public static Duration parse(String text) {
    Matcher m = PATTERN.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration (expected e.g. 30s, 5m, 1h, 7d)");
    }
    long n = Long.parseLong(m.group(1));
    Duration d =
        switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
    if (d.isZero()) {
      throw new IllegalArgumentException("'" + text + "' must be positive");
    }
    return d;
  }

  /** Formats with the largest unit that divides the duration exactly. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 86_400_000L == 0) return ms / 86_400_000L + "d";
    if (ms % 3_600_000L == 0) return ms / 3_600_000L + "h";
    if (ms % 60_000L == 0) return ms / 60_000L + "m";
    if (ms % 1000L == 0) return ms / 1000L + "s";
    return ms + "ms";
  }
}
