package io.janus.engine.iceberg.wap;

import org.apache.iceberg.Table;

/**
 * Write-Audit-Publish on one Iceberg table: a run writes its rows to an audit branch, the branch is
 * audited, and only then does main move. Each step is a pending update in Iceberg's own style:
 * configure it, {@code apply()} to see what it would do, {@code commit()} to do it.
 *
 * <pre>{@code
 * WriteAuditPublish wap = WriteAuditPublish.on(table);
 * wap.openBranch("audit_run1").fromSnapshot(mainId).clearing(days).set("janus.run-id", "run1").commit();
 * // … write the range to the branch, audit it …
 * wap.publishBranch("audit_run1").range(days).validateFromSnapshot(mainId).commit();
 * }</pre>
 */
public final class WriteAuditPublish {
  /** Summary property naming the main snapshot an audit branch was created from. */
  public static final String BASE_SNAPSHOT = "janus.base-snapshot-id";

  /** Summary property of the branch's first commit: {@code clear-range}. */
  public static final String STEP = "janus.step";

  /** Summary property of a rebased publish: the branch snapshot whose files it re-applied. */
  public static final String REBASED_FROM = "janus.rebased-from";

  private final Table table;

  private WriteAuditPublish(Table table) {
    this.table = table;
  }

  /** Write-Audit-Publish on {@code table}. */
  public static WriteAuditPublish on(Table table) {
    return new WriteAuditPublish(table);
  }

  /** A pending update that creates audit branch {@code name} and clears the rewritten range. */
  public OpenBranch openBranch(String name) {
    return new OpenBranch(table, name);
  }

  /** A pending update that moves main to audit branch {@code name} and removes the branch. */
  public PublishBranch publishBranch(String name) {
    return new PublishBranch(table, name);
  }
}
