package io.janus.engine.iceberg.changes;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a target last received from a table: the table's UUID (a recreated table starts over) and
 * the snapshot of main that was synced.
 *
 * @param table the table identifier, e.g. {@code features.user_activity}
 * @param tableUuid the table's UUID when it was synced
 * @param snapshotId the snapshot of main the target reflects
 * @param syncedAtMs when that sync finished
 */
public record SyncMarker(String table, String tableUuid, long snapshotId, long syncedAtMs) {
  /** Key prefix of markers in the online store, kept apart from feature keys. */
  public static final String KEY_PREFIX = "_janus:sync:";

  /** The store key of the marker of {@code table}. */
  public static String storeKey(String table) {
    return KEY_PREFIX + table;
  }

  /** The marker as hash fields. */
  public Map<String, String> toFields() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("table", table);
    m.put("table_uuid", tableUuid);
    m.put("snapshot_id", Long.toString(snapshotId));
    m.put("synced_at_ms", Long.toString(syncedAtMs));
    return m;
  }

  /** The marker stored as {@link #toFields()}, or null when {@code m} holds none. */
  public static SyncMarker fromFields(Map<String, String> m) {
    if (m == null || m.get("snapshot_id") == null) return null;
    return new SyncMarker(
        m.get("table"),
        m.get("table_uuid"),
        Long.parseLong(m.get("snapshot_id")),
        Long.parseLong(m.getOrDefault("synced_at_ms", "0")));
  }
}
