package io.janus.engine.flink.served;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How one served value compares with the offline row a training set would have read at the moment
 * it was served. A Flink POJO (public fields, no-arg constructor).
 */
public class ServedCheck {
  /** The outcome. */
  public enum Status {
    /** The same offline row (same valid_from), the same values; or absent on both sides. */
    MATCHED,
    /** The same offline row (same valid_from), different values: batch and stream disagree. */
    MISMATCHED,
    /** An older row than the offline one valid then: the online store lagged. */
    STALE,
    /** A row offline does not have: newer than the offline row valid then (not backfilled yet). */
    NEWER_THAN_OFFLINE,
    /** Nothing was served, but offline had a live row then. */
    MISSING_ONLINE,
    /** Values were served, but offline had no live row then. */
    MISSING_OFFLINE;

    /** The name in reports: lower case. */
    @JsonValue
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public Status status;
  public String requestId;
  public String entity;
  public long servedAtMs;
  public String endpoint;
  public String modelVersion;

  /** -1 when nothing was served. */
  public long servedValidFromMs = -1;

  /** -1 when offline had no live row. */
  public long offlineValidFromMs = -1;

  /** The features whose served value differs from the offline one, and both values as text. */
  public String[] features = new String[0];

  public String[] served = new String[0];
  public String[] offline = new String[0];

  /** Whether the value served differs from what training would have read (any feature). */
  public boolean different() {
    return features.length > 0
        || status == Status.MISSING_ONLINE
        || status == Status.MISSING_OFFLINE;
  }
}
