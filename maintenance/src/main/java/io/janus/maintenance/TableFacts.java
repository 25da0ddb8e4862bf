package io.janus.maintenance;

import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Live data files, their bytes and the snapshots of a table's main branch, counted from a scan
 * (snapshot summary totals are not trusted: they are wrong after commits to a fresh branch).
 *
 * @param dataFiles live data files on main
 * @param bytes their total size
 * @param snapshots snapshots in the table's metadata (all branches)
 */
public record TableFacts(long dataFiles, long bytes, int snapshots) {

  /** Counts the table as it is now. */
  public static TableFacts of(Table table) {
    table.refresh();
    long files = 0;
    long bytes = 0;
    if (table.currentSnapshot() != null) {
      try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
        for (FileScanTask t : tasks) {
          files++;
          bytes += t.file().fileSizeInBytes();
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    int snapshots = 0;
    for (var ignored : table.snapshots()) {
      snapshots++;
    }
    return new TableFacts(files, bytes, snapshots);
  }
}
