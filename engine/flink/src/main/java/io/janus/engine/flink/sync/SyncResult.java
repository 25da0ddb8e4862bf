package io.janus.engine.flink.sync;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.janus.engine.iceberg.changes.SyncPlan;
import java.util.List;

/**
 * What one sync did. Serialized by Jackson as the {@code janus sync --json} line: the plan's
 * figures flattened next to the counts.
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
 * @param rowsDeferred rows read that are valid only later than the sync's clock, not written (the
 *     next sync after they are due writes them)
 * @param millis wall time
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({
  "group",
  "mode",
  "from_snapshot",
  "to_snapshot",
  "snapshots_read",
  "changed_days",
  "files_added",
  "files_removed",
  "rows_read",
  "keys_written",
  "skipped_by_guard",
  "keys_removed",
  "keys_unchanged",
  "keys_expired",
  "keys_corrected",
  "rows_deferred",
  "due_from",
  "millis",
  "warning"
})
public record SyncResult(
    String group,
    @JsonIgnore SyncPlan plan,
    long rowsRead,
    long keysWritten,
    long skippedByGuard,
    long keysRemoved,
    long keysUnchanged,
    long keysExpired,
    long keysCorrected,
    long rowsDeferred,
    long millis) {

  /** How it read: {@code none}, {@code full} or {@code incremental}. */
  @JsonProperty("mode")
  SyncPlan.Mode mode() {
    return plan.mode();
  }

  @JsonProperty("from_snapshot")
  Long fromSnapshot() {
    return plan.fromSnapshot();
  }

  @JsonProperty("to_snapshot")
  Long toSnapshot() {
    return plan.toSnapshot();
  }

  /** Snapshots of main caught up with (0 when the last synced one is not an ancestor). */
  @JsonProperty("snapshots_read")
  public int snapshotsRead() {
    return Math.max(0, plan.snapshotsBehind());
  }

  @JsonProperty("changed_days")
  List<String> changedDays() {
    return plan.changedDays();
  }

  @JsonProperty("files_added")
  int filesAdded() {
    return plan.filesAdded();
  }

  @JsonProperty("files_removed")
  int filesRemoved() {
    return plan.filesRemoved();
  }

  /** The first day re-read because rows an earlier sync deferred are due now, or null. */
  @JsonProperty("due_from")
  String dueFrom() {
    return plan.dueFrom();
  }

  @JsonProperty("warning")
  String warning() {
    return plan.warning();
  }

  /** One line for people. */
  @JsonIgnore
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
                  "snapshots %d..%d (%s behind, %d files added, %d removed%s%s)",
                  plan.fromSnapshot(),
                  plan.toSnapshot(),
                  plan.snapshotsBehind() < 0
                      ? "not an ancestor,"
                      : plan.snapshotsBehind() + " snapshots",
                  plan.filesAdded(),
                  plan.filesRemoved(),
                  plan.changedDays().isEmpty()
                      ? ""
                      : ", days " + String.join(",", plan.changedDays()),
                  plan.dueFrom() == null
                      ? ""
                      : "; rows left for later are due: days from "
                          + plan.dueFrom()
                          + " read again");
        };
    return String.format(
        "sync %s: %s; rows read %,d, keys written %,d, skipped by guard %,d, removed %,d, unchanged %,d, expired %,d, corrected %,d, deferred %,d (%.1f s)",
        group,
        what,
        rowsRead,
        keysWritten,
        skippedByGuard,
        keysRemoved,
        keysUnchanged,
        keysExpired,
        keysCorrected,
        rowsDeferred,
        millis / 1000.0);
  }
}
