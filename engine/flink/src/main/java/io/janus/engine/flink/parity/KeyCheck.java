package io.janus.engine.flink.parity;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The outcome of comparing one key online and offline. A Flink POJO (public fields, no-arg
 * constructor) so it moves with Flink's own serializer.
 */
public class KeyCheck {
  /** How a key compares. */
  public enum Status {
    /** The online values equal the offline row valid at the online valid_from. */
    MATCHED,
    /** At least one feature differs from the offline row valid at the online valid_from. */
    MISMATCHED,
    /** Offline has a live (within TTL) latest row, online has nothing. */
    MISSING_ONLINE,
    /** Online has values, offline has no row for the key at or before the online valid_from. */
    MISSING_OFFLINE,
    /** The online valid_from is older than the key's latest offline row. */
    STALE,
    /** Offline's latest row is past the TTL and online has nothing: as it should be. */
    EXPIRED;

    /** The name in reports: lower case. */
    @JsonValue
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public String key;

  /** The key's sampling hash (see {@link Sampling}). */
  public long hash;

  public Status status;

  /** -1 when absent. */
  public long onlineValidFrom = -1;

  /** valid_from of the offline row compared with (or of the latest row), -1 when absent. */
  public long offlineValidFrom = -1;

  /** The features that differ, with their online and offline values as text (null: absent). */
  public String[] features = new String[0];

  public String[] online = new String[0];
  public String[] offline = new String[0];

  /**
   * The largest relative difference among the features that differ (1 for null against a value or
   * for text).
   */
  public double difference;

  public KeyCheck() {}

  /** A copy that shares nothing mutable with this one. */
  public KeyCheck copy() {
    KeyCheck c = new KeyCheck(key, hash, status);
    c.onlineValidFrom = onlineValidFrom;
    c.offlineValidFrom = offlineValidFrom;
    c.features = features.clone();
    c.online = online.clone();
    c.offline = offline.clone();
    c.difference = difference;
    return c;
  }

  KeyCheck(String key, long hash, Status status) {
    this.key = key;
    this.hash = hash;
    this.status = status;
  }
}
