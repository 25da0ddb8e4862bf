package io.janus.maintenance;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The maintenance of one table: the steps that ran (null when not asked for) and the wall time.
 *
 * @param table table identifier
 * @param compact compaction, or null
 * @param expire snapshot expiry, or null
 * @param orphans orphan removal, or null
 * @param millis wall time for the table
 */
public record TableReport(
    String table,
    CompactionResult compact,
    ExpiryResult expire,
    OrphanResult orphans,
    long millis) {

  /** The JSON shape: {@code table}, then one object per step that ran, then {@code millis}. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("table", table);
    if (compact != null) m.put("compact", compact.toMap());
    if (expire != null) m.put("expire", expire.toMap());
    if (orphans != null) m.put("orphans", orphans.toMap());
    m.put("millis", millis);
    return m;
  }

  /** Human-readable lines. */
  public String summary(boolean dryRun) {
    StringBuilder b = new StringBuilder(table).append(String.format(" (%.1f s)", millis / 1000.0));
    if (compact != null) b.append("\n  ").append(compact.summary(dryRun));
    if (expire != null) b.append("\n  ").append(expire.summary(dryRun));
    if (orphans != null) b.append("\n  ").append(orphans.summary(dryRun));
    return b.toString();
  }

  /** Whether a step reported a failure (compaction groups whose commit failed). */
  public boolean failed() {
    return compact != null && compact.failedGroups() > 0;
  }
}
