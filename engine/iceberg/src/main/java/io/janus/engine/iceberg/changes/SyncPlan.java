package io.janus.engine.iceberg.changes;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;

/**
 * What one sync will read.
 *
 * @param mode what kind of read
 * @param fromSnapshot the last synced snapshot (incremental), else null
 * @param toSnapshot main's current snapshot, or null when the table has none
 * @param snapshotsBehind snapshots of main after {@code fromSnapshot} up to {@code toSnapshot} (0
 *     when nothing is new; -1 when the last synced one is not an ancestor, e.g. after a rollback)
 * @param changedDays the {@code ds} partitions whose files changed (incremental), as ISO dates
 * @param filesAdded data files in {@code toSnapshot} but not in {@code fromSnapshot}
 * @param filesRemoved data files in {@code fromSnapshot} but not in {@code toSnapshot}
 * @param warning why a full load replaced an incremental one, or null
 * @param dueFrom the first {@code ds} partition (ISO date) re-read, with every later one, because
 *     rows the last sync left for later (valid after its clock) are due now; null when none are
 */
public record SyncPlan(
    Mode mode,
    Long fromSnapshot,
    Long toSnapshot,
    int snapshotsBehind,
    List<String> changedDays,
    int filesAdded,
    int filesRemoved,
    String warning,
    String dueFrom) {

  /** How much to read. */
  public enum Mode {
    /** Nothing changed since the last sync (or there is nothing published): read nothing. */
    NONE,
    /** Read the latest row of every key. */
    FULL,
    /** Read the changed partitions before and after, and correct the keys they touch. */
    INCREMENTAL;

    /** The name in reports: lower case. */
    @JsonValue
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
