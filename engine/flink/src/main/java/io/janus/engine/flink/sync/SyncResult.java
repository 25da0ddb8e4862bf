package io.janus.engine.flink.sync;

import io.janus.engine.iceberg.changes.SyncPlan;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one sync did.
 *
 * @param group the feature group
 * @param plan what it read
 * @param rowsRead feature-table rows read (the whole table; or both sides of the changed partitions
 *     plus, for corrections, the older ones)
 * @param keysWritten keys whose values landed in the store (corrections and removals included)
 * @param skippedByGuard keys the guard refused because the store held newer values (e.g. streamed
 *     ones)
 * @param keysRemoved retractions sent (their rows vanished, or their corrected latest row expired);
 *     one the guard refused also counts in skippedByGuard
 * @param keysUnchanged keys of changed partitions whose latest row did not change
 * @param keysExpired keys whose latest row is past the TTL, so the store holds nothing for them
 * @param keysCorrected keys whose latest row moved back and were looked up in older partitions
 * @param millis wall time
 */
public record SyncResult(
    String group,
    SyncPlan plan,
    long rowsRead,
    long keysWritten,
    long skippedByGuard,
    long keysRemoved,
    long keysUnchanged,
    long keysExpired,
    long keysCorrected,
    long millis) {

  /** The figures by name, for JSON output. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("group", group);
    m.put("mode", plan.mode().name().toLowerCase());
    m.put("from_snapshot", plan.fromSnapshot());
    m.put("to_snapshot", plan.toSnapshot());
    m.put("snapshots_read", Math.max(0, plan.snapshotsBehind()));
    m.put("changed_days", List.copyOf(plan.changedDays()));
    m.put("files_added", plan.filesAdded());
    m.put("files_removed", plan.filesRemoved());
    m.put("rows_read", rowsRead);
    m.put("keys_written", keysWritten);
    m.put("skipped_by_guard", skippedByGuard);
    m.put("keys_removed", keysRemoved);
    m.put("keys_unchanged", keysUnchanged);
    m.put("keys_expired", keysExpired);
    m.put("keys_corrected", keysCorrected);
    m.put("millis", millis);
    m.put("warning", plan.warning());
    return m;
  }

  /** One line for people. */
  public String summary() {
    String what =
        switch (plan.mode()) {
          case NONE ->
              plan.toSnapshot() == null
                  ? "nothing published yet"
                  : "already at snapshot " + plan.toSnapshot() + ", nothing read";
          case FULL -> "full load of snapshot " + plan.toSnapshot();
          case INCREMENTAL ->
              String.format(
                  "snapshots %d..%d (%s behind, %d files added, %d removed, days %s)",
                  plan.fromSnapshot(),
                  plan.toSnapshot(),
                  plan.snapshotsBehind() < 0
                      ? "not an ancestor,"
                      : plan.snapshotsBehind() + " snapshots",
                  plan.filesAdded(),
                  plan.filesRemoved(),
                  String.join(",", plan.changedDays()));
        };
    return String.format(
        "sync %s: %s; rows read %,d, keys written %,d, skipped by guard %,d, removed %,d, unchanged %,d, expired %,d, corrected %,d (%.1f s)",
        group,
        what,
        rowsRead,
        keysWritten,
        skippedByGuard,
        keysRemoved,
        keysUnchanged,
        keysExpired,
        keysCorrected,
        millis / 1000.0);
  }
}
