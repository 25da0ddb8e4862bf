package io.janus.jobs.maintain;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses byte sizes such as {@code 134217728}, {@code 512k}, {@code 128MB}, {@code 1g} (binary
 * units).
 */
public final class Sizes {
  private static final Pattern PATTERN =
      Pattern.compile("^(\\d+)\\s*([kmg]?)(i?b)?$", Pattern.CASE_INSENSITIVE);

  private Sizes() {}

  /** The size in bytes; fails naming the text. */
  public static long parse(String text) {
    Matcher m = PATTERN.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a size (expected e.g. 134217728, 512k, 128MB, 1g)");
    }
    long n = Long.parseLong(m.group(1));
    long bytes =
        switch (m.group(2).toLowerCase()) {
          case "k" -> n << 10;
          case "m" -> n << 20;
          case "g" -> n << 30;
          default -> n;
        };
    if (bytes <= 0) {
      throw new IllegalArgumentException("'" + text + "' must be positive");
    }
    return bytes;
  }
}
