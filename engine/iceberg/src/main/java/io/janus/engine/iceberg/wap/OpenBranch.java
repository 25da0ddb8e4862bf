package io.janus.engine.iceberg.wap;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.iceberg.DeleteFiles;
import org.apache.iceberg.PendingUpdate;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;

/**
 * Creates an audit branch from a snapshot of main and deletes the rows the run will rewrite, in one
 * commit on the branch that carries the run's summary properties and {@link
 * WriteAuditPublish#BASE_SNAPSHOT}. On a table without snapshots the delete itself creates the
 * branch, so no snapshot without lineage is ever made.
 */
public final class OpenBranch implements PendingUpdate<Snapshot> {
  private final Table table;
  private final String branch;
  private final Map<String, String> summary = new LinkedHashMap<>();
  private Long base;
  private Expression rows = Expressions.alwaysFalse();

  OpenBranch(Table table, String branch) {
    this.table = table;
    this.branch = branch;
  }

  /** Branches from {@code snapshotId} (default: main's current snapshot at commit). */
  public OpenBranch fromSnapshot(long snapshotId) {
    this.base = snapshotId;
    return this;
  }

  /** Deletes the rows matching {@code filter} on the new branch (default: none). */
  public OpenBranch clearing(Expression filter) {
    this.rows = filter;
    return this;
  }

  /** Adds a property to the summary of the branch's first snapshot. */
  public OpenBranch set(String property, String value) {
    summary.put(property, value);
    return this;
  }

  /**
   * The snapshot the branch would start from, or null when the table has none (the branch then
   * starts empty).
   */
  @Override
  public Snapshot apply() {
    if (base != null) {
      Snapshot s = table.snapshot(base);
      if (s == null) {
        throw new IllegalArgumentException("table " + table.name() + " has no snapshot " + base);
      }
      return s;
    }
    table.refresh();
    return table.currentSnapshot();
  }

  @Override
  public void commit() {
    if (table.refs().containsKey(branch)) {
      throw new IllegalStateException("table " + table.name() + " already has a branch " + branch);
    }
    Snapshot from = apply();
    if (from != null) {
      table.manageSnapshots().createBranch(branch, from.snapshotId()).commit();
    }
    DeleteFiles delete = table.newDelete().deleteFromRowFilter(rows).toBranch(branch);
    summary.forEach(delete::set);
    delete.set(
        WriteAuditPublish.BASE_SNAPSHOT, from == null ? "none" : Long.toString(from.snapshotId()));
    delete.set(WriteAuditPublish.STEP, "clear-range");
    delete.commit();
  }
}
