package io.janus.engine.iceberg.changes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * Decides what a sync reads, from the target's marker and the table's metadata alone.
 *
 * <p>Incremental reads compare the live data files of the last synced snapshot with those of main's
 * current one, manifest by manifest (manifests both snapshots share are skipped unread). That sees
 * every kind of commit — appends, the overwrites and deletes a re-run backfill makes (which
 * Iceberg's incremental append scan silently skips), compactions, even a rollback — and yields the
 * {@code ds} partitions to re-read on both sides. Row-level delete files (Janus never writes them)
 * and a table not partitioned by {@code ds} fall back to a full load.
 */
public final class SyncPlanner {
  private SyncPlanner() {}

  /**
   * The plan for syncing {@code table}'s main into a target whose marker is {@code marker} (null:
   * never synced), writing rows valid up to {@code asOfMs}. Rows the last sync left for later that
   * are due by then make their partitions (and every later one) be read again, even when main did
   * not move.
   */
  public static SyncPlan plan(Table table, String partitionColumn, SyncMarker marker, long asOfMs) {
    Snapshot current = table.currentSnapshot();
    if (current == null) {
      return new SyncPlan(SyncPlan.Mode.NONE, null, null, 0, List.of(), 0, 0, null, null);
    }
    long to = current.snapshotId();
    if (marker == null) {
      return full(to, null);
    }
    String uuid = table.uuid().toString();
    if (!uuid.equals(marker.tableUuid())) {
      return full(
          to,
          "table "
              + marker.table()
              + " was recreated since the last sync (uuid "
              + marker.tableUuid()
              + " is now "
              + uuid
              + "): full load");
    }
    String dueFrom =
        marker.deferredDueBy(asOfMs)
            ? LocalDate.ofEpochDay(Math.floorDiv(marker.deferredFromMs(), 86_400_000L)).toString()
            : null;
    if (marker.snapshotId() == to) {
      return new SyncPlan(
          dueFrom == null ? SyncPlan.Mode.NONE : SyncPlan.Mode.INCREMENTAL,
          to,
          to,
          0,
          List.of(),
          0,
          0,
          null,
          dueFrom);
    }
    Snapshot from = table.snapshot(marker.snapshotId());
    if (from == null) {
      return full(
          to,
          "the last synced snapshot "
              + marker.snapshotId()
              + " of "
              + marker.table()
              + " no longer exists (expired): full load");
    }
    Integer dsPos = null;
    Map<Integer, Integer> dsPositionBySpec = new HashMap<>();
    for (Map.Entry<Integer, PartitionSpec> e : table.specs().entrySet()) {
      List<PartitionField> fields = e.getValue().fields();
      for (int i = 0; i < fields.size(); i++) {
        PartitionField f = fields.get(i);
        if (f.transform().isIdentity()
            && e.getValue().schema().findColumnName(f.sourceId()).equals(partitionColumn)) {
          dsPositionBySpec.put(e.getKey(), i);
          dsPos = i;
        }
      }
    }
    if (dsPos == null) {
      return full(
          to,
          "table " + marker.table() + " is not partitioned by " + partitionColumn + ": full load");
    }
    try {
      if (!deleteManifests(table, from).equals(deleteManifests(table, current))) {
        return full(
            to,
            "row-level delete files changed between snapshots "
                + from.snapshotId()
                + " and "
                + to
                + ": full load");
      }
      Map<String, DataFile> before = liveFiles(table, from, current);
      Map<String, DataFile> after = liveFiles(table, current, from);
      Set<Integer> days = new HashSet<>();
      int added = 0;
      int removed = 0;
      for (Map.Entry<String, DataFile> e : after.entrySet()) {
        if (!before.containsKey(e.getKey())) {
          added++;
          days.add(day(e.getValue(), dsPositionBySpec));
        }
      }
      for (Map.Entry<String, DataFile> e : before.entrySet()) {
        if (!after.containsKey(e.getKey())) {
          removed++;
          days.add(day(e.getValue(), dsPositionBySpec));
        }
      }
      if (days.contains(null)) {
        return full(
            to, "a changed data file has no " + partitionColumn + " partition value: full load");
      }
      int behind =
          SnapshotUtil.isAncestorOf(table, to, from.snapshotId())
              ? count(SnapshotUtil.ancestorIdsBetween(to, from.snapshotId(), table::snapshot))
              : -1;
      List<String> changed = new ArrayList<>();
      for (Integer d : new TreeSet<>(days)) changed.add(LocalDate.ofEpochDay(d).toString());
      return new SyncPlan(
          SyncPlan.Mode.INCREMENTAL,
          from.snapshotId(),
          to,
          behind,
          changed,
          added,
          removed,
          null,
          dueFrom);
    } catch (NotFoundException e) {
      return full(
          to,
          "metadata of the last synced snapshot "
              + from.snapshotId()
              + " is gone ("
              + e.getMessage()
              + "): full load");
    }
  }

  private static int count(Iterable<Long> ids) {
    int n = 0;
    for (Long ignored : ids) n++;
    return n;
  }

  private static SyncPlan full(long to, String warning) {
    return new SyncPlan(SyncPlan.Mode.FULL, null, to, -1, List.of(), 0, 0, warning, null);
  }

  private static Integer day(DataFile f, Map<Integer, Integer> dsPositionBySpec) {
    Integer pos = dsPositionBySpec.get(f.specId());
    return pos == null ? null : f.partition().get(pos, Integer.class);
  }

  private static Set<String> deleteManifests(Table table, Snapshot s) {
    Set<String> paths = new HashSet<>();
    for (ManifestFile m : s.deleteManifests(table.io())) paths.add(m.path());
    return paths;
  }

  /**
   * Live data files of {@code s} by path, from the manifests {@code other} does not share (shared
   * ones hold the same files on both sides).
   */
  private static Map<String, DataFile> liveFiles(Table table, Snapshot s, Snapshot other) {
    Set<String> shared = new HashSet<>();
    for (ManifestFile m : other.dataManifests(table.io())) shared.add(m.path());
    Map<String, DataFile> files = new HashMap<>();
    for (ManifestFile m : s.dataManifests(table.io())) {
      if (shared.contains(m.path())) continue;
      try (ManifestReader<DataFile> reader = ManifestFiles.read(m, table.io(), table.specs())) {
        for (DataFile f : reader) files.put(f.location(), f.copyWithoutStats());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return files;
  }
}
