package io.janus.maintenance;

import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.actions.DeleteOrphanFiles;
import org.apache.iceberg.spark.actions.SparkActions;
import org.apache.spark.sql.SparkSession;

/**
 * Removal of files under a table's location that no metadata references (failed or abandoned
 * commits), with Iceberg's {@code deleteOrphanFiles} action. Only files older than the cut-off go:
 * a running Flink writer's files of a commit in flight look orphaned until the commit lands. A dry
 * run lists them and deletes nothing.
 */
public final class OrphanRemoval {
  private final SparkSession spark;
  private final Table table;
  private final long olderThanMillis;
  private final boolean dryRun;

  private OrphanRemoval(SparkSession spark, Table table, long olderThanMillis, boolean dryRun) {
    this.spark = spark;
    this.table = table;
    this.olderThanMillis = olderThanMillis;
    this.dryRun = dryRun;
  }

  /** Removes orphan files last modified before {@code olderThanMillis} (epoch ms). */
  public static OrphanRemoval of(SparkSession spark, Table table, long olderThanMillis) {
    return new OrphanRemoval(spark, table, olderThanMillis, false);
  }

  /** Lists only. */
  public OrphanRemoval dryRun(boolean on) {
    return new OrphanRemoval(spark, table, olderThanMillis, on);
  }

  /** Runs the removal (or lists the orphans, in a dry run). */
  public OrphanResult execute() {
    long t0 = System.currentTimeMillis();
    table.refresh();
    DeleteOrphanFiles action =
        SparkActions.get(spark).deleteOrphanFiles(table).olderThan(olderThanMillis);
    if (dryRun) {
      action = action.deleteWith(path -> {});
    }
    List<String> orphans = new ArrayList<>();
    action.execute().orphanFileLocations().forEach(orphans::add);
    orphans.sort(null);
    return new OrphanResult(orphans, System.currentTimeMillis() - t0);
  }
}
