package io.janus.engine.iceberg.changes;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a target last received from a table: the table's UUID (a recreated table starts over), the
 * snapshot of main that was synced, and up to when: rows valid later than the sync's clock were not
 * written (never a value from the future), so the next sync writes them once they are due.
 *
 * @param table the table identifier, e.g. {@code features.user_activity}
 * @param tableUuid the table's UUID when it was synced
 * @param snapshotId the snapshot of main the target reflects
 * @param syncedAtMs when that sync finished
 * @param asOfMs the sync wrote rows valid up to this time ({@link #EVERYTHING} for markers of syncs
 *     that wrote every row)
 * @param deferredFromMs the earliest {@code valid_from} of a row the sync left for later, or {@link
 *     #NOTHING_DEFERRED}
 */
public record SyncMarker(
    String table,
    String tableUuid,
    long snapshotId,
    long syncedAtMs,
    long asOfMs,
    long deferredFromMs) {
  /** {@link #asOfMs()} of a sync that wrote rows of any time. */
  public static final long EVERYTHING = Long.MAX_VALUE;

  /** {@link #deferredFromMs()} when no row was left for later. */
  public static final long NOTHING_DEFERRED = Long.MAX_VALUE;

  /** Whether rows this sync left for later are valid by {@code epochMillis}. */
  public boolean deferredDueBy(long epochMillis) {
    return deferredFromMs != NOTHING_DEFERRED && deferredFromMs <= epochMillis;
  }

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
    m.put("as_of_ms", Long.toString(asOfMs));
    m.put("deferred_from_ms", Long.toString(deferredFromMs));
    return m;
  }

  /** The marker stored as {@link #toFields()}, or null when {@code m} holds none. */
  public static SyncMarker fromFields(Map<String, String> m) {
    if (m == null || m.get("snapshot_id") == null) return null;
    return new SyncMarker(
        m.get("table"),
        m.get("table_uuid"),
        Long.parseLong(m.get("snapshot_id")),
        Long.parseLong(m.getOrDefault("synced_at_ms", "0")),
        Long.parseLong(m.getOrDefault("as_of_ms", Long.toString(EVERYTHING))),
        Long.parseLong(m.getOrDefault("deferred_from_ms", Long.toString(NOTHING_DEFERRED))));
  }
}
