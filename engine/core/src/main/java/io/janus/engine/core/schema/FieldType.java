package io.janus.engine.core.schema;

import java.util.Locale;

/** Types a source field can have. Timestamps are carried as epoch milliseconds (UTC). */
public enum FieldType {
  STRING,
  LONG,
  DOUBLE,
  BOOLEAN,
  TIMESTAMP;

  /**
   * Parses a YAML type name ({@code string}, {@code long}, {@code double}, {@code boolean}, {@code
   * timestamp}).
   */
  public static FieldType parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown type '" + name + "' (expected string, long, double, boolean or timestamp)");
    }
  }

  /** True for types that numeric aggregations (sum, avg, min, max) accept. */
  public boolean isNumeric() {
    return this == LONG || this == DOUBLE;
  }
}
