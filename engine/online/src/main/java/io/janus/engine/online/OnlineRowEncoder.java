package io.janus.engine.online;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.schema.FeatureSchema;
import io.janus.engine.core.schema.FieldType;
import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.table.data.RowData;

/**
 * Turns a feature-table row (as the pipeline emits it) into an {@link OnlineRow}: key {@code
 * <group>:<entity values joined by |>}, values as text, expiry at {@code valid_from + ttl}.
 */
public final class OnlineRowEncoder implements ElementConverter<RowData, OnlineRow>, Serializable {
  /**
   * How far past the wall clock a row's {@code valid_from} may be and still be written online
   * (DESIGN §4: the store never serves a value from the future; clocks of producers and servers
   * differ by about this much). Later rows wait: in the streaming job until the clock reaches them,
   * and for the next sync at the end of a bounded stream or in a sync.
   */
  public static final java.time.Duration AHEAD_OF_CLOCK = java.time.Duration.ofSeconds(1);

  /**
   * Whether two values as the online store holds them (text) are the same: equal text, or equal
   * numbers written differently (e.g. {@code 5} and {@code 5.0}); null only equals null.
   */
  public static boolean sameValue(String a, String b) {
    if (java.util.Objects.equals(a, b)) return true;
    if (a == null || b == null) return false;
    try {
      return Double.compare(Double.parseDouble(a), Double.parseDouble(b)) == 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Separates entity values in an online key. */
  public static final String KEY_SEPARATOR = "|";

  private final String group;
  private final String version;
  private final long ttlMs;
  private final int[] entityPos;
  private final FieldType[] entityTypes;
  private final int validFromPos;
  private final String[] names;
  private final int[] columnPos;
  private final FieldType[] columnTypes;

  /**
   * The {@code _version} a group's hashes carry: the first 16 hex characters (64 bits) of its
   * fingerprint. Enough to tell definitions apart; the whole 64 characters cost every key 48 bytes
   * (measured with {@code janus bench memory}, docs/operations.md).
   *
   * @param g the feature group
   * @return the version string
   */
  public static String version(FeatureGroup g) {
    return g.fingerprint().substring(0, 16);
  }

  /**
   * @param g the feature group
   * @param rowColumns the column names of the rows to encode, in order
   */
  public OnlineRowEncoder(FeatureGroup g, List<String> rowColumns) {
    FeatureSchema schema = g.schema();
    group = g.name();
    version = version(g);
    ttlMs = g.ttl().toMillis();
    entityPos = g.entity().stream().mapToInt(rowColumns::indexOf).toArray();
    entityTypes = schema.keys().stream().map(FeatureSchema.Column::type).toArray(FieldType[]::new);
    validFromPos = rowColumns.indexOf(FeatureSchema.VALID_FROM);
    names = schema.featureNames().toArray(String[]::new);
    columnPos = schema.featureNames().stream().mapToInt(rowColumns::indexOf).toArray();
    columnTypes = schema.featureTypes();
  }

  /** The row as a plain guarded write. */
  /** {@link #encode(RowData)}, as the online sink's converter of feature rows. */
  @Override
  public OnlineRow apply(RowData row, SinkWriter.Context context) {
    return encode(row);
  }

  public OnlineRow encode(RowData row) {
    return encode(row, OnlineRow.NO_REPLACE);
  }

  /**
   * The row as a write that also replaces stored values with valid_from at or before {@code
   * replaceUpTo}.
   */
  public OnlineRow encode(RowData row, long replaceUpTo) {
    long validFrom = validFrom(row);
    Map<String, String> values = new HashMap<>(names.length * 2);
    for (int c = 0; c < names.length; c++) {
      int p = columnPos[c];
      values.put(
          names[c],
          row.isNullAt(p)
              ? null
              : switch (columnTypes[c]) {
                case LONG -> Long.toString(row.getLong(p));
                case DOUBLE -> Double.toString(row.getDouble(p));
                case STRING -> row.getString(p).toString();
                case BOOLEAN -> Boolean.toString(row.getBoolean(p));
                case TIMESTAMP -> Long.toString(row.getTimestamp(p, 6).getMillisecond());
              });
    }
    return new OnlineRow(
        group, key(row), validFrom, version, expireAt(validFrom), values, replaceUpTo);
  }

  /** Removes the row's key from the store if what it holds is at or before {@code replaceUpTo}. */
  public OnlineRow retraction(RowData row, long replaceUpTo) {
    return OnlineRow.retraction(group, key(row), version, replaceUpTo);
  }

  /** The online key of a row: its entity values joined by {@link #KEY_SEPARATOR}. */
  public String key(RowData row) {
    if (entityPos.length == 1) return entity(row, 0);
    StringBuilder key = new StringBuilder();
    for (int k = 0; k < entityPos.length; k++) {
      if (k > 0) key.append(KEY_SEPARATOR);
      key.append(entity(row, k));
    }
    return key.toString();
  }

  private String entity(RowData row, int k) {
    return entityTypes[k] == FieldType.LONG
        ? Long.toString(row.getLong(entityPos[k]))
        : row.getString(entityPos[k]).toString();
  }

  /** The row's valid_from, epoch ms. */
  public long validFrom(RowData row) {
    return row.getTimestamp(validFromPos, 6).getMillisecond();
  }

  /**
   * Whether values that hold from {@code validFrom} are past the TTL at {@code nowMs} (the store
   * has dropped them).
   */
  public boolean isExpired(long validFrom, long nowMs) {
    long at = expireAt(validFrom);
    return at != 0 && at <= nowMs;
  }

  /** Whether {@code row} is newer than {@code current} (true when there is no current row). */
  public boolean isNewer(RowData row, RowData current) {
    return current == null || validFrom(row) > validFrom(current);
  }

  /** When the store drops values that hold from {@code validFrom}: one TTL later (0: never). */
  public long expireAt(long validFrom) {
    return ttlMs > 0 ? validFrom + ttlMs : 0;
  }
}
