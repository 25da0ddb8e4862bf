package io.janus.maintenance;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The maintenance of one table: the steps that ran (null when not asked for, and then absent from
 * the JSON report) and the wall time.
 *
 * @param table table identifier
 * @param compact compaction, or null
 * @param expire snapshot expiry, or null
 * @param orphans orphan removal, or null
 * @param millis wall time for the table
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TableReport(
    String table,
    CompactionResult compact,
    ExpiryResult expire,
    OrphanResult orphans,
    long millis) {

  /** Human-readable lines. */
  public String summary(boolean dryRun) {
    StringBuilder b = new StringBuilder(table).append(String.format(" (%.1f s)", millis / 1000.0));
    if (compact != null) b.append("\n  ").append(compact.summary(dryRun));
    if (expire != null) b.append("\n  ").append(expire.summary(dryRun));
    if (orphans != null) b.append("\n  ").append(orphans.summary(dryRun));
    return b.toString();
  }

  /** Whether a step reported a failure (compaction groups whose commit failed). */
  @JsonIgnore
  public boolean failed() {
    return compact != null && compact.failedGroups() > 0;
  }
}
