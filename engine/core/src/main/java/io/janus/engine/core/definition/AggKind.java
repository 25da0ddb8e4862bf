package io.janus.engine.core.definition;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The aggregation functions a feature can use. */
public enum AggKind {
  /** Number of matching events (or of non-null {@code of} values when {@code of} is given). */
  COUNT("count"),
  /** Sum of {@code of}; 0 over nothing. */
  SUM("sum"),
  /** Mean of {@code of}; null over nothing. */
  AVG("avg"),
  /** Minimum of {@code of}; null over nothing. */
  MIN("min"),
  /** Maximum of {@code of}; null over nothing. */
  MAX("max"),
  /**
   * Value of {@code of} of the latest event (by event time, ties by the greater event id); null
   * over nothing.
   */
  LAST("last"),
  /** Approximate number of distinct {@code of} values (HyperLogLog); 0 over nothing. */
  APPROX_COUNT_DISTINCT("approx_count_distinct"),
  /** Seconds between the first and the last matching event; null over nothing. */
  DURATION("duration"),
  /** {@code num / den} of two other features of the group; null when den is 0 or null. */
  RATIO("ratio");

  private final String yamlName;

  AggKind(String yamlName) {
    this.yamlName = yamlName;
  }

  /** The name used in YAML definitions. */
  public String yamlName() {
    return yamlName;
  }

  /** Parses the YAML name; fails with the list of known names. */
  public static AggKind parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (AggKind k : values()) {
      if (k.yamlName.equals(n)) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "unknown aggregation '"
            + name
            + "' (expected one of "
            + Arrays.stream(values()).map(AggKind::yamlName).collect(Collectors.joining(", "))
            + ")");
  }

  /** True when the aggregation reads the {@code of} expression. */
  public boolean needsOf() {
    return this != COUNT && this != DURATION && this != RATIO;
  }
}
