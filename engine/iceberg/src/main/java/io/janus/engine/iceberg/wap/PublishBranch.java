package io.janus.engine.iceberg.wap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PendingUpdate;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.SnapshotUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves main to an audited branch and removes the branch. With {@link #audited}, exactly the
 * audited snapshot is published, and a branch that moved after its audit is refused. When main has
 * not moved since the branch was created, main moves to the branch's snapshot and the branch is
 * removed in one metadata commit. When it has, the branch's files in the range replace main's in
 * that range as one overwrite, validated against the base snapshot so a concurrent change to the
 * same rows fails the publish instead of being lost.
 */
public final class PublishBranch implements PendingUpdate<PublishBranch.Mode> {
  private static final Logger LOG = LoggerFactory.getLogger(PublishBranch.class);

  /** How a branch reached main. */
  public enum Mode {
    /** Main pointed at an ancestor of the branch's head and now points at the head. */
    FAST_FORWARD,
    /** Main had moved; the branch's files in the range were re-applied onto it. */
    REBASE;

    /** The name in reports: {@code fast-forward} or {@code rebase}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private final Table table;
  private final String branch;
  private final Map<String, String> summary = new LinkedHashMap<>();
  private Expression range = Expressions.alwaysTrue();
  private Long base;
  private Long audited;

  PublishBranch(Table table, String branch) {
    this.table = table;
    this.branch = branch;
  }

  /** The rows the branch rewrote: what a rebase replaces on main (default: every row). */
  public PublishBranch range(Expression rows) {
    this.range = rows;
    return this;
  }

  /**
   * The main snapshot the branch was created from: a rebase fails when main has since changed rows
   * in the range.
   */
  public PublishBranch validateFromSnapshot(long snapshotId) {
    this.base = snapshotId;
    return this;
  }

  /**
   * The branch snapshot the audit passed: only it is published, and the publish is refused when the
   * branch has moved since.
   */
  public PublishBranch audited(long snapshotId) {
    this.audited = snapshotId;
    return this;
  }

  /** Adds a property to the summary of a rebase's overwrite snapshot. */
  public PublishBranch set(String property, String value) {
    summary.put(property, value);
    return this;
  }

  /** How the branch would reach main as the table is now. */
  @Override
  public Mode apply() {
    table.refresh();
    SnapshotRef ref = table.refs().get(branch);
    if (ref == null) {
      throw new IllegalStateException("table " + table.name() + " has no branch " + branch);
    }
    if (audited != null && ref.snapshotId() != audited) {
      throw new IllegalStateException(
          "branch "
              + branch
              + " moved after its audit (audited snapshot "
              + audited
              + ", now "
              + ref.snapshotId()
              + "): not published");
    }
    Snapshot main = table.currentSnapshot();
    return main == null || SnapshotUtil.isAncestorOf(table, ref.snapshotId(), main.snapshotId())
        ? Mode.FAST_FORWARD
        : Mode.REBASE;
  }

  @Override
  public void commit() {
    publish();
  }

  /** Commits, and tells how the branch reached main. */
  public Mode publish() {
    if (apply() == Mode.FAST_FORWARD) {
      if (audited != null) {
        if (fastForwardAudited()) return Mode.FAST_FORWARD;
      } else {
        try {
          // One metadata commit: main moves and the branch goes together, or neither does.
          table
              .manageSnapshots()
              .fastForwardBranch(SnapshotRef.MAIN_BRANCH, branch)
              .removeBranch(branch)
              .commit();
          return Mode.FAST_FORWARD;
        } catch (IllegalArgumentException | CommitFailedException e) {
          LOG.warn(
              "main moved while {} was fast-forwarded ({}); re-applying the range onto main",
              branch,
              e.getMessage());
        }
      }
    }
    rebase();
    return Mode.REBASE;
  }

  /**
   * Main to exactly the audited snapshot and the branch removed, in one metadata commit whose
   * expected base is the metadata in which the branch still pointed at that snapshot: a commit to
   * the branch in between makes the swap fail, and the next attempt, seeing the branch moved,
   * refuses the publish. {@code ManageSnapshots} would instead re-apply the removal onto whatever
   * the branch became. False when main moved meanwhile (the caller rebases).
   */
  private boolean fastForwardAudited() {
    TableOperations ops = ((HasTableOperations) table).operations();
    for (int attempt = 1; ; attempt++) {
      TableMetadata before = ops.refresh();
      SnapshotRef ref = before.ref(branch);
      if (ref == null || ref.snapshotId() != audited)
        throw new IllegalStateException(
            "branch "
                + branch
                + " moved after its audit (audited snapshot "
                + audited
                + ", now "
                + (ref == null ? "removed" : ref.snapshotId())
                + "): not published");
      Snapshot main = before.currentSnapshot();
      if (main != null
          && !SnapshotUtil.isAncestorOf(audited, main.snapshotId(), before::snapshot)) {
        LOG.warn("main moved while {} was published; re-applying the range onto main", branch);
        return false;
      }
      TableMetadata after =
          TableMetadata.buildFrom(before)
              .setBranchSnapshot(audited, SnapshotRef.MAIN_BRANCH)
              .removeRef(branch)
              .build();
      try {
        ops.commit(before, after);
        table.refresh();
        return true;
      } catch (CommitFailedException e) {
        if (attempt == 10) throw e;
        LOG.info("table {} changed during the publish of {}; checking again", table.name(), branch);
      }
    }
  }

  private void rebase() {
    table.refresh();
    long branchSnapshot = audited != null ? audited : table.refs().get(branch).snapshotId();
    OverwriteFiles overwrite = table.newOverwrite().overwriteByRowFilter(range);
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(branchSnapshot).filter(range).planFiles()) {
      for (FileScanTask t : tasks) overwrite.addFile(t.file());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (base != null) overwrite.validateFromSnapshot(base);
    overwrite
        .conflictDetectionFilter(range)
        .validateNoConflictingData()
        .validateNoConflictingDeletes();
    summary.forEach(overwrite::set);
    overwrite.set(WriteAuditPublish.REBASED_FROM, Long.toString(branchSnapshot));
    overwrite.commit();
    table.refresh();
    SnapshotRef now = table.refs().get(branch);
    if (now != null && now.snapshotId() != branchSnapshot) {
      // What was audited is on main; the branch's later commit is not: keep it to look at.
      LOG.warn(
          "branch {} moved after its audit (audited {}, now {}); kept, its later commits are not"
              + " published",
          branch,
          branchSnapshot,
          now.snapshotId());
      return;
    }
    table.manageSnapshots().removeBranch(branch).commit();
  }
}
