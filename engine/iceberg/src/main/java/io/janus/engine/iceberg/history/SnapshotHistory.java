package io.janus.engine.iceberg.history;

import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.iceberg.audit.AuditLog;
import io.janus.engine.iceberg.lineage.Lineage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.HistoryEntry;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * A table's snapshots with their lineage and audit outcome: every snapshot (main's and those only
 * on audit branches), oldest first, with the refs pointing at it and when it reached main.
 */
public final class SnapshotHistory {
  private SnapshotHistory() {}

  /**
   * One map per snapshot: {@code snapshot_id}, {@code parent_id}, {@code committed_at}, {@code
   * published_at} (when it became main's head, if ever), {@code operation}, {@code on_main}, {@code
   * refs}, {@code audit} ({@code passed}, {@code published}), {@code summary} and every summary
   * property also at the top level by its own name ({@code janus.run-id}, …).
   */
  public static List<Map<String, Object>> of(Warehouse warehouse, Table table, String group) {
    Set<Long> onMain = new HashSet<>();
    if (table.currentSnapshot() != null) {
      for (Snapshot s :
          SnapshotUtil.ancestorsOf(table.currentSnapshot().snapshotId(), table::snapshot)) {
        onMain.add(s.snapshotId());
      }
    }
    Map<Long, Long> publishedAt = new HashMap<>();
    for (HistoryEntry h : table.history()) {
      publishedAt.putIfAbsent(h.snapshotId(), h.timestampMillis());
    }
    Map<Long, List<String>> refs = new HashMap<>();
    for (Map.Entry<String, SnapshotRef> r : new TreeMap<>(table.refs()).entrySet()) {
      refs.computeIfAbsent(r.getValue().snapshotId(), k -> new ArrayList<>()).add(r.getKey());
    }
    Map<String, Record> audits = group == null ? Map.of() : AuditLog.byRunId(warehouse, group);
    List<Snapshot> snapshots = new ArrayList<>();
    table.snapshots().forEach(snapshots::add);
    snapshots.sort(
        (a, b) ->
            a.sequenceNumber() != b.sequenceNumber()
                ? Long.compare(a.sequenceNumber(), b.sequenceNumber())
                : Long.compare(a.timestampMillis(), b.timestampMillis()));
    List<Map<String, Object>> out = new ArrayList<>();
    for (Snapshot s : snapshots) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("snapshot_id", s.snapshotId());
      m.put("parent_id", s.parentId());
      m.put("committed_at", Instant.ofEpochMilli(s.timestampMillis()));
      Long pub = publishedAt.get(s.snapshotId());
      m.put("published_at", pub == null ? null : Instant.ofEpochMilli(pub));
      m.put("operation", s.operation());
      m.put("on_main", onMain.contains(s.snapshotId()));
      m.put("refs", refs.getOrDefault(s.snapshotId(), List.of()));
      String runId = s.summary().get(Lineage.RUN_ID);
      Record audit = runId == null ? null : audits.get(runId);
      Map<String, Object> a = new LinkedHashMap<>();
      if (audit != null) {
        a.put("passed", audit.getField("passed"));
        a.put("published", audit.getField("published"));
        a.put("failures", audit.getField("failures"));
      }
      m.put("audit", audit == null ? null : a);
      m.put("summary", new TreeMap<>(s.summary()));
      new TreeMap<>(s.summary()).forEach(m::putIfAbsent);
      out.add(m);
    }
    return out;
  }
}
